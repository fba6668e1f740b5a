import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What DNSSEC is for: an answer changed on its way (here by a proxy in front of the redirector,
/// as a poisoner or a broken middlebox would) fails validation at the resolver: SERVFAIL, while
/// the same answer with checking disabled comes through, so it is the signature that fails.
final class TamperedDNSTests: XCTestCase {
    func testAnAnswerWithABrokenSignatureIsServfailAtTheValidatingResolver() throws {
        // The redirector on a port of its own; the proxy takes port 53 of its address, where the
        // delegation's glue points. The proxy relays UDP only, so the redirector must not send
        // Unbound (which has no cookies) to TCP: cookies are answered, not enforced.
        let keys = try SignedZone(in: try Paths.temporaryFolder("tamper-keys"))
        let cdn = try PlaybackCDN(name: "tamper-cdn", redirector: ("\(DNSLab.redirectorAddress):0", 2, "off"), dnssecKeys: keys.folder.path,
                                  cookies: "answer")
        defer { cdn.stop() }
        let proxy = try TamperingProxy(listen: DNSLab.redirectorAddress, upstreamPort: cdn.cdn.redirector.dnsPort)
        defer { proxy.stop() }
        let lab = try DNSLab(redirector: "\(DNSLab.redirectorAddress):53", ds: keys.ds.path)
        defer { lab.stop() }

        let untouched = try lab.dig("_http._tcp.video.cdn.example.test", "SRV", from: "127.0.30.5", options: ["+adflag"])
        XCTAssertTrue(untouched.authenticated, "answers the proxy leaves alone (only A is tampered with) validate: \(untouched)")
        let answer = try lab.dig("video.cdn.example.test", "A", from: "127.0.20.5", options: ["+adflag"])
        XCTAssertEqual(answer.rcode, 2, "SERVFAIL: the signature does not verify; got \(answer.answers)")
        XCTAssertGreaterThan(proxy.tampered, 0, "the proxy changed an answer")
        let unchecked = try lab.dig("video.cdn.example.test", "A", from: "127.0.20.5", options: ["+cdflag"])
        XCTAssertEqual(unchecked.rcode, 0, "with checking disabled the (bogus) answer is handed over")
        XCTAssertEqual(unchecked.data("A"), ["127.0.1.2"])
    }
}

/// A UDP relay to the redirector that flips the last byte of the first RRSIG in the answer
/// section of every response to an A query.
final class TamperingProxy: @unchecked Sendable {
    private let socket: Int32
    private let upstreamPort: Int
    private let lock = NSLock()
    private var running = true
    private var count = 0
    private let done = DispatchSemaphore(value: 0)

    var tampered: Int { lock.withLock { count } }

    init(listen host: String, upstreamPort: Int) throws {
        self.upstreamPort = upstreamPort
        socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = RawConnection.address(host, port: 53)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { close(socket); throw TestFailure("cannot bind \(host):53") }
        var wait = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        Thread.detachNewThread { [self] in relay(upstreamHost: host) }
    }

    func stop() {
        lock.withLock { running = false }
        done.wait()
        close(socket)
    }

    private func relay(upstreamHost: String) {
        defer { done.signal() }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while lock.withLock({ running }) {
            var client = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let n = withUnsafeMutablePointer(to: &client) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { recvfrom(socket, &buffer, buffer.count, 0, $0, &length) }
            }
            guard n > 0, var reply = Self.ask(Array(buffer[0..<n]), host: upstreamHost, port: upstreamPort) else { continue }
            if Self.tamper(&reply) { lock.withLock { count += 1 } }
            _ = withUnsafePointer(to: &client) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(socket, reply, reply.count, 0, $0, length) }
            }
        }
    }

    private static func ask(_ query: [UInt8], host: String, port: Int) -> [UInt8]? {
        let upstream = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(upstream) }
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(upstream, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var address = RawConnection.address(host, port: port)
        let sent = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { sendto(upstream, query, query.count, 0, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard sent == query.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 65535)
        let n = recv(upstream, &buffer, buffer.count, 0)
        return n > 0 ? Array(buffer[0..<n]) : nil
    }

    /// Flips the signature's last byte in the first RRSIG answering an A question.
    static func tamper(_ message: inout [UInt8]) -> Bool {
        guard message.count > 12, message[4] == 0, message[5] == 1 else { return false }
        var offset = 12
        guard skipName(message, &offset), offset + 4 <= message.count else { return false }
        let questionType = Int(message[offset]) << 8 | Int(message[offset + 1])
        offset += 4
        guard questionType == 1 else { return false }
        let answers = Int(message[6]) << 8 | Int(message[7])
        for _ in 0..<answers {
            guard skipName(message, &offset), offset + 10 <= message.count else { return false }
            let type = Int(message[offset]) << 8 | Int(message[offset + 1])
            let length = Int(message[offset + 8]) << 8 | Int(message[offset + 9])
            offset += 10
            guard offset + length <= message.count else { return false }
            if type == 46 {
                message[offset + length - 1] ^= 0x01
                return true
            }
            offset += length
        }
        return false
    }

    private static func skipName(_ message: [UInt8], _ offset: inout Int) -> Bool {
        while offset < message.count {
            let length = Int(message[offset])
            if length & 0xC0 == 0xC0 { offset += 2; return true }
            offset += length + 1
            if length == 0 { return true }
        }
        return false
    }
}
