import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A misbehaving HTTP server on loopback: every connection gets the same canned bytes, or a
/// reset (RST) as soon as its request arrives. For the bad-peer cases no real server produces.
final class CannedServer: @unchecked Sendable {
    enum Behaviour {
        case respond(String)
        case reset
    }

    let port: Int
    private let listener: Int32
    private let thread: Thread

    init(_ behaviour: Behaviour) throws {
        let (fd, port) = try loopbackSocket()
        listener = fd
        self.port = port
        thread = Thread {
            while true {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                var buffer = [UInt8](repeating: 0, count: 4096)
                _ = read(client, &buffer, buffer.count)
                switch behaviour {
                case .respond(let text):
                    _ = text.utf8CString.withUnsafeBufferPointer { write(client, $0.baseAddress, $0.count - 1) }
                case .reset:
                    var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
                    setsockopt(client, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
                }
                close(client)
            }
        }
        thread.start()
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
    }
}

/// A TCP socket listening on 127.0.0.1 on a port of the kernel's choosing.
func loopbackSocket() throws -> (descriptor: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { generic in
            bind(fd, generic, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, generic, &length) == 0
        }
    }
    guard bound else { close(fd); throw POSIXError(.EADDRINUSE) }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}
