import Addressing
import DNSWire
import Foundation
import Redirector
import ServerSupport
import TestSupport
import Topology
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// The UDP workers as a client meets them: on IPv6 as on IPv4, a burst of queries (more than one
/// batch) answered in full and matched by ID, a datagram longer than any query dropped without
/// harm, and a stop that is prompt and lets the port go.
final class DatagramWorkerTests: XCTestCase {
    func testIPv6BurstsOversizeDatagramsAndStop() throws {
        let root = try Paths.temporaryFolder("udp-workers")
        let yaml = TestTopology.yaml(edgePorts: [0, 0, 0], redirectorDNS: "\"[::1]:0\"")
        let config = try CDNConfig.parse(yaml: yaml, file: root.appendingPathComponent("cdn.yaml").path)
        let redirector = try Redirector(config: config)
        let port = redirector.dnsPort
        var stopped = false
        defer { if !stopped { redirector.stop() } }

        let client = try UDP6Client(port: port)
        // A datagram over 4 kB is dropped; the next query is answered.
        client.send([UInt8](repeating: 0x41, count: 9000))
        // 200 queries sent at once: every one answered, each to its own ID.
        let question = DNSName("cdn.example.test")!.wire + [0, 6, 0, 1]  // SOA
        for id in 0..<200 { client.send([UInt8(id >> 8), UInt8(id & 0xFF), 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0] + question) }
        var answered = Set<Int>()
        while let reply = client.receive(), reply.count >= 12 {
            XCTAssertEqual(reply[3] & 0x0F, 0, "NOERROR")
            answered.insert(Int(reply[0]) << 8 | Int(reply[1]))
            if answered.count == 200 { break }
        }
        XCTAssertEqual(answered.count, 200)
        let dig = try runProcess("dig", ["-6", "@::1", "-p", "\(port)", "+norec", "+short", "+time=2", "+tries=1",
                                         "cdn.example.test", "SOA"])
        XCTAssertTrue(dig.stdout.hasPrefix("ns1.cdn.example.test."), dig.stdout + dig.stderr)

        let started = Date()
        redirector.stop()
        stopped = true
        XCTAssertLessThan(Date().timeIntervalSince(started), 2, "stop waits for the workers at most one wake interval")
        // The port is free again: a plain UDP socket can bind it without SO_REUSEPORT.
        XCTAssertTrue(UDP6Client.canBind(port: port), "port \(port) still held after stop")
    }
}

/// A connected IPv6 UDP socket on ::1 with a short receive timeout.
private final class UDP6Client {
    let fd: CInt

    init(port: Int) throws {
        fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        var address = Self.loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        }
        guard result == 0 else { throw ServerError("connect to [::1]:\(port) failed") }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer: Int32 = 1 << 20
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit { close(fd) }

    static func loopback(port: Int) -> sockaddr_in6 {
        var address = sockaddr_in6()
        address.sin6_family = sa_family_t(AF_INET6)
        address.sin6_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET6, "::1", &address.sin6_addr)
        return address
    }

    static func canBind(port: Int) -> Bool {
        let fd = socket(AF_INET6, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
        } == 0
    }

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }

    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[0..<count]) : nil
    }
}
