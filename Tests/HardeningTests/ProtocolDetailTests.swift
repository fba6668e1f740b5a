import Foundation
import TestSupport
import XCTest

/// The smaller findings of the hostile-client campaign, each as a real peer sees it.
final class ProtocolDetailTests: XCTestCase {
    func testDNSRefusalsNameWhatTheyRefuse() throws {
        let cdn = try HostileCDN(name: "dns-details")
        defer { cdn.stop() }
        let server = ["@127.0.0.1", "-p", "\(cdn.dnsPort)", "+time=2", "+tries=1"]
        // NOTIFY and UPDATE: NOTIMP with the opcode echoed, or dig discards the reply.
        for opcode in ["notify", "update"] {
            let run = try runProcess("dig", server + ["+opcode=\(opcode)", "video.cdn.example.test", "A"])
            XCTAssertTrue(run.stdout.contains("opcode: \(opcode.uppercased()), status: NOTIMP"), run.stdout + run.stderr)
        }
        // Zone transfers are refused, not answered with an empty zone.
        let axfr = try runProcess("dig", server + ["cdn.example.test", "AXFR"])
        XCTAssertTrue(axfr.stdout.contains("Transfer failed") || axfr.stdout.contains("REFUSED"), axfr.stdout)
        let ixfr = try runProcess("dig", server + ["+tcp", "cdn.example.test", "IXFR=1"])
        XCTAssertTrue(ixfr.stdout.contains("REFUSED") || ixfr.stdout.contains("Transfer failed"), ixfr.stdout)
    }

    func testTheRedirectorChecksHostAndEncodesItsLocation() throws {
        let cdn = try HostileCDN(name: "http-details")
        defer { cdn.stop() }
        let noHost = try RawConnection(port: cdn.httpPort)
        noHost.send("GET /media/t/v/1.m4s HTTP/1.1\r\n\r\n")
        XCTAssertTrue(String(decoding: noHost.receive(), as: UTF8.self).hasPrefix("HTTP/1.1 400 "), "HTTP/1.1 without Host")
        let odd = try RawConnection(port: cdn.httpPort)
        odd.send("GET /media/t/v/a\"b<c>d\\e{f}|g^h`i.m4s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        let answer = String(decoding: odd.receive(), as: UTF8.self)
        let location = answer.split(separator: "\r\n").first { $0.lowercased().hasPrefix("location:") }.map(String.init) ?? ""
        XCTAssertTrue(location.hasSuffix("/media/t/v/a%22b%3Cc%3Ed%5Ce%7Bf%7D%7Cg%5Eh%60i.m4s"), answer)
    }

    func testTheAccessLogEscapesWhatAClientSends() throws {
        let cdn = try HostileCDN(name: "log-details")
        defer { cdn.stop() }
        let client = try RawConnection(port: cdn.originPort)
        client.send("GET /media/t/v/x\"y.m4s HTTP/1.1\r\nHost: t\r\nUser-Agent: evil\" 200 1 \"\u{E9}\r\nConnection: close\r\n\r\n")
        _ = client.receive()
        Thread.sleep(forTimeInterval: 0.5)  // the log is written by a thread of its own
        let log = (try? String(contentsOf: cdn.accessLog, encoding: .utf8)) ?? ""
        let line = try XCTUnwrap(log.split(separator: "\n").first { $0.contains("x\\x22y.m4s") }, log)
        XCTAssertTrue(line.contains("\"evil\\x22 200 1 \\x22\\xC3\\xA9\""), String(line))
        XCTAssertEqual(line.filter { $0 == "\"" }.count, 4, "only the log's own quotes: \(line)")
    }
}
