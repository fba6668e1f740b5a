import Foundation
import TestSupport
import XCTest

/// Slow and greedy clients at the redirector: unfinished HTTP heads and dripped DNS queries are
/// cut at the header timeout, and one address cannot take every connection.
final class ConnectionLimitTests: XCTestCase {
    func testTheRedirectorCutsUnfinishedHeadsAndDrippedQueries() throws {
        let cdn = try HostileCDN(name: "slowloris")
        defer { cdn.stop() }
        let slowHTTP = try RawConnection(port: cdn.httpPort)
        slowHTTP.send("GET /media/t/v/1.m4s HTTP/1.1\r\nHost: t\r\n")
        let slowDNS = try RawConnection(port: cdn.dnsPort)
        let query = DNSQueryBytes.tcp(name: "video.cdn.example.test", type: 1)
        let idleHTTP = try RawConnection(port: cdn.httpPort)
        let started = Date()
        // A byte every half second: each one used to restart the idle timer.
        var cut: [String: Double] = [:]
        var dripped = 0
        while cut.count < 3, Date().timeIntervalSince(started) < HostileCDN.headerTimeout + 4 {
            slowHTTP.send("X-Drip-\(dripped): 1\r\n")
            if dripped < query.count - 1 { slowDNS.send([query[dripped]]) }
            dripped += 1
            for (name, connection) in [("HTTP head", slowHTTP), ("DNS query", slowDNS), ("idle HTTP", idleHTTP)]
            where cut[name] == nil && connection.closedByPeer(within: 0.15) {
                cut[name] = Date().timeIntervalSince(started)
            }
            Thread.sleep(forTimeInterval: 0.35)
        }
        for name in ["HTTP head", "DNS query", "idle HTTP"] {
            let seconds = try XCTUnwrap(cut[name], "\(name) still open after \(HostileCDN.headerTimeout + 4) s")
            XCTAssertLessThan(seconds, HostileCDN.headerTimeout + 1.5, name)
        }
    }

    func testOneAddressCannotTakeEveryConnection() throws {
        let cdn = try HostileCDN(name: "greedy")
        defer { cdn.stop() }
        for (name, port, cap) in [("redirector HTTP", cdn.httpPort, HostileCDN.perClient), ("DNS over TCP", cdn.dnsPort, 32),
                                  ("edge", cdn.edgePort, HostileCDN.perClient)] {
            let greedy = try (0..<(cap + 15)).map { _ in try RawConnection(port: port, from: "127.0.0.77") }
            Thread.sleep(forTimeInterval: 0.3)
            let kept = greedy.filter { !$0.closedByPeer(within: 0.02) }
            XCTAssertEqual(kept.count, cap, "\(name): one address keeps \(cap) connections")
            // Another address is served as usual.
            let other = try RawConnection(port: port, from: "127.0.0.78")
            other.send(port == cdn.dnsPort ? DNSQueryBytes.tcp(name: "video.cdn.example.test", type: 1)
                       : Array("GET /media/t/v/init.mp4 HTTP/1.1\r\nHost: t\r\n\r\n".utf8))
            XCTAssertFalse(other.receive(limit: 10).isEmpty, "\(name) serves another address")
        }
    }
}
