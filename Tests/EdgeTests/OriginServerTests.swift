import AsyncHTTPClient
@testable import Edge
import Foundation
import NIOCore
import TestSupport
import Topology
import XCTest

/// The HTTP behaviour a client sees, over real loopback sockets.
final class OriginServerTests: XCTestCase {
    func testRangeConditionalCORSAndMIMEMatrixWithCurl() throws {
        // The segment is asked for again and again, so after the first request it is sent from
        // memory; without a memory budget, every body goes out with sendfile.
        try checkMatrix(limits: TestCDN.quietLimits)
        var sendfileOnly = TestCDN.quietLimits
        sendfileOnly.memoryCacheBytes = 0
        try checkMatrix(limits: sendfileOnly)
    }

    private func checkMatrix(limits: ServerLimits) throws {
        let cdn = try TestCDN(name: "matrix", segments: 1, limits: limits)
        defer { cdn.stop() }
        let url = cdn.originURL + "/media/t/v/1.m4s"
        let file = try cdn.file("Media/t/v/1.m4s")

        let full = try curl(url)
        XCTAssertEqual(full.status, 200)
        XCTAssertEqual(full.body, file)
        XCTAssertEqual(full.headers["content-type"], "video/iso.segment")
        XCTAssertEqual(full.headers["cache-control"], "public, max-age=31536000, immutable")
        XCTAssertEqual(full.headers["access-control-allow-origin"], "*")
        XCTAssertEqual(full.headers["timing-allow-origin"], "*", "browser players can time each request")
        XCTAssertEqual(full.headers["accept-ranges"], "bytes")
        let etag = try XCTUnwrap(full.headers["etag"]), lastModified = try XCTUnwrap(full.headers["last-modified"])

        let head = try curl(url, ["-I"])
        XCTAssertEqual(head.status, 200)
        XCTAssertEqual(head.headers["content-length"], String(file.count))
        let raw = try RawConnection(port: cdn.origin.port)
        raw.send("HEAD /media/t/v/1.m4s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(raw.receiveText().hasSuffix("\r\n\r\n"), "HEAD sends the head and nothing after it")

        let range = try curl(url, ["-H", "Range: bytes=100-199"])
        XCTAssertEqual(range.status, 206)
        XCTAssertEqual(range.headers["content-range"], "bytes 100-199/\(file.count)")
        XCTAssertEqual(range.body, file[100..<200])

        let suffix = try curl(url, ["-H", "Range: bytes=-100"])
        XCTAssertEqual(suffix.status, 206)
        XCTAssertEqual(suffix.body, file.suffix(100))

        let unsatisfiable = try curl(url, ["-H", "Range: bytes=\(file.count)-"])
        XCTAssertEqual(unsatisfiable.status, 416)
        XCTAssertEqual(unsatisfiable.headers["content-range"], "bytes */\(file.count)")

        XCTAssertEqual(try curl(url, ["-H", "If-None-Match: \(etag)"]).status, 304)
        XCTAssertEqual(try curl(url, ["-H", "If-Modified-Since: \(lastModified)"]).status, 304)
        let staleRange = try curl(url, ["-H", "Range: bytes=0-9", "-H", "If-Range: \"stale\""])
        XCTAssertEqual(staleRange.status, 200, "If-Range with another tag gets the whole representation")
        XCTAssertEqual(try curl(url, ["-H", "Range: bytes=0-9", "-H", "If-Range: \(etag)"]).status, 206)

        let preflight = try curl(url, ["-X", "OPTIONS", "-H", "Origin: http://player.test",
                                       "-H", "Access-Control-Request-Method: GET", "-H", "Access-Control-Request-Headers: range"])
        XCTAssertEqual(preflight.status, 204)
        XCTAssertEqual(preflight.headers["access-control-allow-origin"], "*")
        XCTAssertTrue(preflight.headers["access-control-allow-headers"]?.lowercased().contains("range") ?? false)
        XCTAssertTrue(full.headers["access-control-expose-headers"]?.contains("Content-Range") ?? false)

        let manifest = try curl(cdn.originURL + "/manifests/t.mpd")
        XCTAssertEqual(manifest.headers["content-type"], "application/dash+xml")
        XCTAssertEqual(manifest.headers["cache-control"], "public, max-age=5")
        XCTAssertEqual(try curl(cdn.originURL + "/media/t/v/init.mp4").headers["content-type"], "video/mp4")

        let post = try curl(url, ["-X", "POST", "-d", ""])
        XCTAssertEqual(post.status, 405)
        XCTAssertEqual(post.headers["allow"], "GET, HEAD, OPTIONS")
        XCTAssertEqual(try curl(cdn.originURL + "/media/t/v/404.m4s").status, 404)
    }

    func testKeepAliveWithAsyncHTTPClient() async throws {
        let cdn = try TestCDN(name: "keepalive", segments: 2)
        defer { cdn.stop() }
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let file = try cdn.file("Media/t/v/2.m4s")
        for _ in 0..<20 {
            var request = HTTPClientRequest(url: cdn.originURL + "/media/t/v/2.m4s")
            request.headers.add(name: "Range", value: "bytes=1000-")
            let response = try await client.execute(request, timeout: .seconds(10))
            XCTAssertEqual(response.status.code, 206)
            let body = try await response.body.collect(upTo: 1 << 22)
            XCTAssertEqual(Data(body.readableBytesView), file.dropFirst(1000))
        }
        let health = try await client.execute(HTTPClientRequest(url: cdn.originURL + "/healthz"), timeout: .seconds(5))
        let healthBody = try await health.body.collect(upTo: 1 << 16)
        let json = try JSONSerialization.jsonObject(with: Data(healthBody.readableBytesView)) as? [String: Any]
        try await client.shutdown()
        XCTAssertEqual(json?["status"] as? String, "ok")
        XCTAssertEqual(json?["active_connections"] as? Int, 1, "twenty requests and the health check shared one connection")
    }

    func testTraversalNeverServesAByteOutsideTheRoot() throws {
        let cdn = try TestCDN(name: "traversal", segments: 1)
        defer { cdn.stop() }
        let secret = "TOP-SECRET-\(UUID().uuidString)"
        try secret.write(to: cdn.root.appendingPathComponent("secret.txt"), atomically: true, encoding: .utf8)
        let outside = try Paths.temporaryFolder("outside")
        try secret.write(to: outside.appendingPathComponent("leak.m4s"), atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: cdn.root.appendingPathComponent("Media/t/v/link.m4s").path,
                                                   withDestinationPath: outside.appendingPathComponent("leak.m4s").path)
        try FileManager.default.createSymbolicLink(atPath: cdn.root.appendingPathComponent("Media/escape").path,
                                                   withDestinationPath: outside.path)
        let targets = ["/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/%2E%2E%2Fsecret.txt", "/media/t/..%2f..%2fsecret.txt",
                       "/media/..%5csecret.txt", "/media/..\\secret.txt", "/media/t/v/1.m4s%00.txt", "/media/t/v/link.m4s",
                       "/media/escape/leak.m4s", "/manifests/../secret.txt", "/secret.txt", "//secret.txt",
                       "/media/%252e%252e/secret.txt", "/media/t/v/%2e%2e/%2e%2e/%2e%2e/secret.txt",
                       "/\(cdn.root.path)/secret.txt", "/media/\(cdn.root.path)/secret.txt"]
        for target in targets {
            let client = try RawConnection(port: cdn.origin.port)
            client.send("GET \(target) HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let answer = client.receiveText()
            XCTAssertFalse(answer.contains(secret), "\(target) leaked")
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400") || answer.hasPrefix("HTTP/1.1 404"), "\(target): \(answer.prefix(40))")
        }
        XCTAssertEqual(try curl(cdn.originURL + "/media/t/v/1.m4s").status, 200, "the server is still serving")
    }

    func testOversizedRequestsGet414And431() throws {
        let cdn = try TestCDN(name: "oversized", segments: 1)
        defer { cdn.stop() }
        let long = try RawConnection(port: cdn.origin.port)
        long.send("GET /media/\(String(repeating: "a", count: 10_000)) HTTP/1.1\r\nHost: x\r\n\r\n")
        XCTAssertTrue(long.receiveText().hasPrefix("HTTP/1.1 414"))
        let fat = try RawConnection(port: cdn.origin.port)
        let headers = (0..<50).map { "X-Filler-\($0): \(String(repeating: "b", count: 1000))\r\n" }.joined()
        fat.send("GET /media/t/v/1.m4s HTTP/1.1\r\nHost: x\r\n\(headers)\r\n")
        XCTAssertTrue(fat.receiveText().hasPrefix("HTTP/1.1 431"))
    }

    func testSlowAndIdleClientsTimeOut() throws {
        var limits = TestCDN.quietLimits
        limits.headerTimeout = 0.5
        limits.idleTimeout = 0.5
        let cdn = try TestCDN(name: "slow", segments: 1, limits: limits)
        defer { cdn.stop() }
        let slow = try RawConnection(port: cdn.origin.port)
        slow.send("GET /media/t/v/1.m4s HTTP/1.1\r\nHo")
        let started = Date()
        XCTAssertTrue(slow.receiveText().hasPrefix("HTTP/1.1 408"))
        XCTAssertLessThan(Date().timeIntervalSince(started), 3)
        let idle = try RawConnection(port: cdn.origin.port)
        XCTAssertEqual(idle.receiveText(), "", "an idle connection is closed without a word")
    }

    func testConnectionFloodMeetsTheLimitWith503() throws {
        var limits = TestCDN.quietLimits
        limits.maxConnections = 8
        let cdn = try TestCDN(name: "flood", segments: 1, limits: limits)
        defer { cdn.stop() }
        var held = try (0..<8).map { _ in try RawConnection(port: cdn.origin.port) }
        Thread.sleep(forTimeInterval: 0.2)
        let extra = try RawConnection(port: cdn.origin.port)
        XCTAssertTrue(extra.receiveText().hasPrefix("HTTP/1.1 503"))
        held.removeAll()
        Thread.sleep(forTimeInterval: 0.3)
        XCTAssertEqual(try curl(cdn.originURL + "/media/t/v/1.m4s").status, 200, "room again once clients leave")
    }

    func testClientVanishingMidBodyCostsNothingElse() throws {
        let cdn = try TestCDN(name: "vanish", segments: 1, segmentBytes: 8 << 20)
        defer { cdn.stop() }
        for _ in 0..<20 {
            let client = try RawConnection(port: cdn.origin.port)
            client.send("GET /media/t/v/1.m4s HTTP/1.1\r\nHost: x\r\n\r\n")
            _ = client.receiveText(limit: 10_000)
        }
        Thread.sleep(forTimeInterval: 0.5)
        let after = try curl(cdn.originURL + "/media/t/v/1.m4s")
        XCTAssertEqual(after.body, try cdn.file("Media/t/v/1.m4s"))
        let health = try curl(cdn.originURL + "/healthz")
        let json = try JSONSerialization.jsonObject(with: health.body) as? [String: Any]
        XCTAssertEqual(json?["active_connections"] as? Int, 1, "the abandoned connections are all gone")
    }

    func testEveryConnectionIsLetGoOf() throws {
        let cdn = try TestCDN(name: "release", segments: 1, segmentBytes: 4 << 20)
        defer { cdn.stop() }
        let before = HTTPResponder.alive.withLockedValue { $0 }
        for index in 0..<150 {
            let client = try RawConnection(port: cdn.origin.port)
            switch index % 3 {
            case 0:  // answered, then closed by the server
                client.send("GET /manifests/t.mpd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                _ = client.receiveText()
            case 1:  // keep-alive, answered, then the client hangs up
                client.send("HEAD /media/t/v/1.m4s HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = client.receiveText(limit: 100)
            default:  // gone in the middle of a body
                client.send("GET /media/t/v/1.m4s HTTP/1.1\r\nHost: x\r\n\r\n")
                _ = client.receiveText(limit: 10_000)
            }
        }
        var alive = Int.max
        for _ in 0..<50 where alive > before {
            Thread.sleep(forTimeInterval: 0.1)
            alive = HTTPResponder.alive.withLockedValue { $0 }
        }
        XCTAssertLessThanOrEqual(alive, before, "150 closed connections leave no handler behind")
    }
}
