import Addressing
import CDatagram
import Foundation
import NIOConcurrencyHelpers
import ServerSupport
#if canImport(Glibc)
import Glibc
#endif

/// DNS over UDP answered by plain threads, as Knot's and NSD's UDP workers do: one socket per
/// thread on the same port (SO_REUSEPORT: the kernel spreads clients over them), each taking up to
/// `batch` queries in one `recvmmsg` and sending their answers in one `sendmmsg`. Queries need no
/// event loop (each is answered at once from memory), so none is paid for: no channel pipeline,
/// no envelope or buffer object per datagram, and the client's address read from its raw bytes.
final class DatagramWorkers: Sendable {
    let port: Int
    private let sockets: [Int32]
    private let running = NIOLockedValueBox(true)
    private let finished = DispatchGroup()

    static let batch = 64
    /// The largest query taken; a longer datagram is dropped (a DNS query is well under 512 bytes).
    static let slot = 4096
    /// How often a blocked worker looks whether it should stop.
    static let wakeInterval = timeval(tv_sec: 0, tv_usec: 200_000)

    /// Binds `count` sockets on `host:port` (port 0: the first picks one for all) and starts a
    /// worker on each.
    init(service: DNSService, host: String, port: Int, count: Int) throws {
        var sockets: [Int32] = []
        var chosen = port
        do {
            for _ in 0..<max(1, count) {
                let (fd, bound) = try Self.bind(host: host, port: chosen)
                sockets.append(fd)
                chosen = bound
            }
        } catch {
            sockets.forEach { close($0) }
            throw error
        }
        self.sockets = sockets
        self.port = chosen
        for fd in sockets {
            finished.enter()
            let thread = Thread { [running, finished] in
                DatagramWorker(socket: fd, service: service).run { running.withLockedValue { $0 } }
                finished.leave()
            }
            thread.name = "dns-udp"
            thread.start()
        }
    }

    /// Stops every worker (within `wakeInterval`) and closes the sockets.
    func stop() {
        guard running.withLockedValue({ let was = $0; $0 = false; return was }) else { return }
        for fd in sockets { shutdown(fd, Int32(SHUT_RDWR)) }
        finished.wait()
        sockets.forEach { close($0) }
    }

    private static func bind(host: String, port: Int) throws -> (Int32, Int) {
        var hints = addrinfo()
        hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV
        hints.ai_socktype = Int32(SOCK_DGRAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host.isEmpty ? nil : host, String(port), &hints, &found)
        guard status == 0, let info = found else {
            throw ServerError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(found) }
        let fd = socket(info.pointee.ai_family, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ServerError(String(cString: strerror(errno)).lowercased()) }
        var one: Int32 = 1
        var wake = wakeInterval
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wake, socklen_t(MemoryLayout<timeval>.size))
        guard Glibc.bind(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let reason = String(cString: strerror(errno)).lowercased()
            close(fd)
            throw ServerError(reason)
        }
        var local = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        withUnsafeMutablePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { _ = getsockname(fd, $0, &length) }
        }
        return (fd, Self.port(of: local))
    }

    private static func port(of address: sockaddr_storage) -> Int {
        var copy = address
        return withUnsafePointer(to: &copy) { pointer in
            if address.ss_family == sa_family_t(AF_INET6) {
                return pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            }
            return pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
        }
    }
}

/// One worker's receive and send vectors, allocated once and reused for every batch.
private final class DatagramWorker {
    private let socket: Int32
    private let service: DNSService
    private let cache = ResponseCache()
    private let count = DatagramWorkers.batch
    private let slot = DatagramWorkers.slot
    private let queries: UnsafeMutablePointer<UInt8>
    private let answers: UnsafeMutablePointer<UInt8>
    private let addresses: UnsafeMutablePointer<sockaddr_storage>
    private let received: UnsafeMutablePointer<cdatagram_message>
    private let receiveVectors: UnsafeMutablePointer<iovec>
    private let outgoing: UnsafeMutablePointer<cdatagram_message>
    private let sendVectors: UnsafeMutablePointer<iovec>

    init(socket: Int32, service: DNSService) {
        self.socket = socket
        self.service = service
        queries = .allocate(capacity: count * slot)
        answers = .allocate(capacity: count * slot)
        addresses = .allocate(capacity: count)
        received = .allocate(capacity: count)
        receiveVectors = .allocate(capacity: count)
        outgoing = .allocate(capacity: count)
        sendVectors = .allocate(capacity: count)
    }

    deinit {
        queries.deallocate()
        answers.deallocate()
        addresses.deallocate()
        received.deallocate()
        receiveVectors.deallocate()
        outgoing.deallocate()
        sendVectors.deallocate()
    }

    func run(while running: () -> Bool) {
        while running() {
            prepareReceive()
            let got = cdatagram_receive(socket, received, UInt32(count))
            guard got > 0 else { continue }  // timeout (a look at `running`), EINTR, or shut down
            send(answer(Int(got)))
        }
    }

    private func prepareReceive() {
        for index in 0..<count {
            receiveVectors[index] = iovec(iov_base: queries + index * slot, iov_len: slot)
            received[index] = cdatagram_message()
            received[index].header.msg_name = UnsafeMutableRawPointer(addresses + index)
            received[index].header.msg_namelen = socklen_t(MemoryLayout<sockaddr_storage>.size)
            received[index].header.msg_iov = receiveVectors + index
            received[index].header.msg_iovlen = 1
        }
    }

    /// Answers the `got` datagrams received; returns how many answers were laid out to send.
    private func answer(_ got: Int) -> Int {
        var ready = 0
        for index in 0..<got {
            let header = received[index].header
            guard header.msg_flags & Int32(MSG_TRUNC) == 0, let client = Self.address(addresses + index) else { continue }
            let query = Array(UnsafeBufferPointer(start: queries + index * slot, count: Int(received[index].length)))
            guard let reply = service.reply(to: query, from: client, overTCP: false, cache: cache) else { continue }
            guard reply.count <= slot else {
                // Rare (a large answer to a client that allows it): sent on its own.
                let peer = header.msg_name.assumingMemoryBound(to: sockaddr.self)
                reply.withUnsafeBytes { _ = sendto(socket, $0.baseAddress, $0.count, 0, peer, header.msg_namelen) }
                continue
            }
            let out = answers + ready * slot
            reply.withUnsafeBufferPointer { out.update(from: $0.baseAddress!, count: $0.count) }
            sendVectors[ready] = iovec(iov_base: out, iov_len: reply.count)
            outgoing[ready] = cdatagram_message()
            outgoing[ready].header.msg_name = header.msg_name
            outgoing[ready].header.msg_namelen = header.msg_namelen
            outgoing[ready].header.msg_iov = sendVectors + ready
            outgoing[ready].header.msg_iovlen = 1
            ready += 1
        }
        return ready
    }

    /// Sends the first `ready` answers (waiting while the send buffer is full, which drains to
    /// the peers at once); an error drops what is left of the batch, as UDP may.
    private func send(_ ready: Int) {
        var sent = 0
        while sent < ready {
            let done = cdatagram_send(socket, outgoing + sent, UInt32(ready - sent))
            if done > 0 { sent += Int(done) } else if done < 0, errno == EINTR { continue } else { break }
        }
    }

    private static func address(_ storage: UnsafeMutablePointer<sockaddr_storage>) -> IPAddress? {
        switch Int32(storage.pointee.ss_family) {
        case AF_INET:
            return storage.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin_addr) { IPAddress(bytes: Array($0)) }
            }
        case AF_INET6:
            return storage.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { pointer in
                withUnsafeBytes(of: pointer.pointee.sin6_addr) { IPAddress(bytes: Array($0)) }
            }
        default:
            return nil
        }
    }
}
