import AsyncHTTPClient
import Edge
import Foundation
import NIOCore
import TestSupport
import Topology
import XCTest

/// An edge in front of the origin: origin pull, collapsed misses, LRU, failures, emulated links.
final class EdgeCacheTests: XCTestCase {
    private func metric(_ node: CDNNode, _ name: String) -> Double? {
        node.status.metrics.prometheusText().split(separator: "\n")
            .first { $0.hasPrefix(name + " ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    func testFiftySimultaneousMissesMakeOneUpstreamFetch() async throws {
        let cdn = try TestCDN(name: "collapse", segments: 1, segmentBytes: 3 << 20)
        defer { cdn.stop() }
        let edge = try cdn.startEdge()
        let url = "http://127.0.1.1:\(edge.port)/media/t/v/1.m4s"
        let client = HTTPClient(eventLoopGroupProvider: .singleton,
                                configuration: .init(connectionPool: .init(idleTimeout: .seconds(5),
                                                                            concurrentHTTP1ConnectionsPerHostSoftLimit: 50)))
        let bodies = try await withThrowingTaskGroup(of: (Int, String?, Data).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(30))
                    let body = try await response.body.collect(upTo: 8 << 20)
                    return (Int(response.status.code), response.headers.first(name: "x-cache"), Data(body.readableBytesView))
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        try await client.shutdown()
        let original = try cdn.file("Media/t/v/1.m4s")
        XCTAssertEqual(bodies.count, 50)
        XCTAssertTrue(bodies.allSatisfy { $0.0 == 200 && $0.2 == original }, "every body is the origin's file, byte for byte")
        XCTAssertEqual(metric(edge, "dashcdn_upstream_fetches_total"), 1)
        XCTAssertEqual(metric(cdn.origin, "dashcdn_http_requests_total{status=\"200\"}"), 1, "the origin saw one request")
        XCTAssertEqual(try curl(url).headers["x-cache"], "HIT")
    }

    func testLRUEvictionKeepsTheCacheUnderItsBudget() throws {
        let cdn = try TestCDN(name: "lru", segments: 3, segmentBytes: 1 << 20)
        defer { cdn.stop() }
        let edge = try cdn.startEdge(extra: ", cache_max_bytes: 2500000")
        let base = "http://127.0.1.1:\(edge.port)/media/t/v/"
        for index in 1...3 { XCTAssertEqual(try curl(base + "\(index).m4s").headers["x-cache"], "MISS") }
        let cached = { (index: Int) in
            FileManager.default.fileExists(atPath: edge.cache!.path(for: "/Media/t/v/\(index).m4s"))
        }
        XCTAssertFalse(cached(1), "the least recently used object was evicted")
        XCTAssertTrue(cached(2) && cached(3))
        XCTAssertLessThanOrEqual(edge.cache!.stats.bytes, 2_500_000)
        XCTAssertEqual(try curl(base + "2.m4s").headers["x-cache"], "HIT")
        XCTAssertEqual(try curl(base + "1.m4s").headers["x-cache"], "MISS")
        XCTAssertFalse(cached(3), "3 was now the least recently used")
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: edge.cache!.path(for: ""))
        XCTAssertFalse(leftovers.contains { $0.hasPrefix(".tmp-") }, "no temporary file outlives its fetch")
    }

    func testUpstreamDownGives502OrTheCachedCopy() throws {
        let cdn = try TestCDN(name: "down", segments: 2)
        defer { cdn.stop() }
        let edge = try cdn.startEdge()
        let base = "http://127.0.1.1:\(edge.port)/media/t/v/"
        XCTAssertEqual(try curl(base + "1.m4s").status, 200)
        cdn.origin.stop()
        let held = try curl(base + "1.m4s")
        XCTAssertEqual(held.status, 200)
        XCTAssertEqual(held.body, try cdn.file("Media/t/v/1.m4s"))
        XCTAssertEqual(try curl(base + "2.m4s").status, 502)
        XCTAssertEqual(try curl(base + "404.m4s").status, 502, "with the parent gone, even a missing file is a gateway failure")
        XCTAssertGreaterThanOrEqual(metric(edge, "dashcdn_upstream_errors_total") ?? 0, 2)
    }

    func testMissingObjectIs404AndNotCached() throws {
        let cdn = try TestCDN(name: "missing", segments: 1)
        defer { cdn.stop() }
        let edge = try cdn.startEdge()
        XCTAssertEqual(try curl("http://127.0.1.1:\(edge.port)/media/t/v/9.m4s").status, 404)
        XCTAssertEqual(edge.cache!.stats.objects, 0)
    }

    func testEmulatedRateIsWithinTenPercentOfTheConfiguredOne() throws {
        let cdn = try TestCDN(name: "rate", segments: 1, segmentBytes: 2 << 20)
        defer { cdn.stop() }
        let zones = "coverage:\n  - {name: slow, networks: [127.0.20.0/24], location: {lat: 0, lon: 0}, link: {rate_mbps: 8}}"
        let edge = try cdn.startEdge(zones: zones)
        let url = "http://127.0.1.1:\(edge.port)/media/t/v/1.m4s"
        XCTAssertEqual(try curl(url).status, 200)  // warm the cache: time the link, not the origin
        let shaped = try curl(url, ["--interface", "127.0.20.5"])
        XCTAssertEqual(shaped.body.count, 2 << 20)
        let mbps = Double(shaped.body.count) * 8 / shaped.seconds / 1e6
        XCTAssertEqual(mbps, 8, accuracy: 0.8, "measured \(mbps) Mbit/s through an 8 Mbit/s link")
        let unshaped = try curl(url, ["--interface", "127.0.30.5"])
        XCTAssertLessThan(unshaped.seconds, shaped.seconds / 4, "a client outside the zone is not limited")
    }

    func testFFmpegPlaysTheWholePresentationThroughAnEdge() throws {
        let cdn = try TestCDN(name: "ffmpeg", segments: 1)
        defer { cdn.stop() }
        let movie = cdn.root.appendingPathComponent("Media/clip.mp4").path
        XCTAssertEqual(try dashcdn(["sample", "-o", movie, "--duration", "6", "--size", "320x180"]).status, 0)
        let encode = try dashcdn(["encode", movie, "--title", "clip", "--ladder", "320x180@300k,256x144@150k",
                                  "--segment-duration", "2", "--root", cdn.root.path])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        let edge = try cdn.startEdge()
        let probe = try runProcess("/usr/bin/ffmpeg", ["-nostdin", "-v", "error", "-i",
                                                       "http://127.0.1.1:\(edge.port)/manifests/clip.mpd",
                                                       "-map", "0", "-f", "null", "-"])
        XCTAssertEqual(probe.status, 0, probe.stderr)
        XCTAssertTrue(probe.stderr.isEmpty, probe.stderr)
        XCTAssertGreaterThanOrEqual(edge.cache!.stats.objects, 1 + 2 + 3, "manifest, init segments and media came through the cache")
    }
}
