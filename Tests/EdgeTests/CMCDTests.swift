@testable import CMCD
import Edge
import HTTPCore
import Foundation
import TestSupport
import XCTest

/// CTA-5004 as the player writes it and the edge reads it.
final class CMCDTests: XCTestCase {
    private var sample: CMCDData {
        var data = CMCDData()
        data.encodedBitrateKbps = 3200
        data.bufferLengthMs = 21_349
        data.contentID = "/Manifests/movie.mpd"
        data.objectDurationMs = 4004
        data.deadlineMs = 21_349
        data.measuredThroughputKbps = 25_432
        data.nextObjectRequest = "5.m4s"
        data.objectType = .video
        data.playbackRate = 1
        data.streamingFormat = "d"
        data.sessionID = "6e2fb550-c457-11e9-bb97-0800200c9a66"
        data.streamType = "v"
        data.topBitrateKbps = 6000
        data.version = 1
        return data
    }

    func testQueryModeSortsKeysQuotesStringsAndRoundsAsTheSpecSays() {
        XCTAssertEqual(sample.pairs.map(\.text).joined(separator: ","),
                       "bl=21300,br=3200,cid=\"/Manifests/movie.mpd\",d=4004,dl=21300,mtp=25400,nor=\"5.m4s\",ot=v,pr=1,sf=d,"
                       + "sid=\"6e2fb550-c457-11e9-bb97-0800200c9a66\",st=v,tb=6000,v=1")
        var starving = CMCDData()
        starving.bufferStarvation = true
        starving.startup = true
        XCTAssertEqual(starving.queryValue, "bs%2Csu", "true booleans are the key alone; the value is percent-encoded")
    }

    func testHeaderModeShardsKeysIntoTheFourHeaders() {
        let headers = Dictionary(uniqueKeysWithValues: sample.headers.map { ($0.name, $0.value) })
        XCTAssertEqual(headers["CMCD-Object"], "br=3200,d=4004,ot=v,tb=6000")
        XCTAssertEqual(headers["CMCD-Request"], "bl=21300,dl=21300,mtp=25400,nor=\"5.m4s\"")
        XCTAssertEqual(headers["CMCD-Session"], "cid=\"/Manifests/movie.mpd\",pr=1,sf=d,sid=\"6e2fb550-c457-11e9-bb97-0800200c9a66\",st=v,v=1")
        XCTAssertNil(headers["CMCD-Status"], "nothing to say there")
    }

    func testTheServerReadsBothModesAndIgnoresWhatIsMalformed() throws {
        let fromQuery = try XCTUnwrap(CMCDData(target: "/Media/m/720p/4.m4s?x=1&CMCD=" + sample.queryValue, headers: []))
        let fromHeaders = try XCTUnwrap(CMCDData(target: "/Media/m/720p/4.m4s",
                                                 headers: sample.headers.map { ($0.name.lowercased(), $0.value) }))
        var rounded = sample
        rounded.bufferLengthMs = 21_300
        rounded.deadlineMs = 21_300
        rounded.measuredThroughputKbps = 25_400
        XCTAssertEqual(fromQuery, rounded)
        XCTAssertEqual(fromHeaders, rounded)
        let messy = try XCTUnwrap(CMCDData(target: "/x?CMCD=" + PercentEncoding.encoded("br=abc,bl=-5,zz=1,cid=\"a,b\",ot=nope,sid=\"unterminated,bs"),
                                           headers: []))
        XCTAssertNil(messy.encodedBitrateKbps)
        XCTAssertNil(messy.bufferLengthMs)
        XCTAssertNil(messy.objectType)
        XCTAssertEqual(messy.contentID, "a,b", "a comma inside quotes is not a separator")
        XCTAssertNil(CMCDData(target: "/Media/m/720p/4.m4s", headers: [("host", "x")]), "no CMCD, nothing")
    }

    func testTheEdgeLogsCMCDAsJSONKeepsOneCacheEntryAndExportsHistogramsByZone() throws {
        let cdn = try TestCDN(name: "cmcd", segments: 2)
        defer { cdn.stop() }
        let log = cdn.root.appendingPathComponent("access.jsonl")
        let edge = try cdn.startEdge(host: "127.0.1.1", zones: "coverage:\n  - {name: loopback, networks: [127.0.0.0/8], location: {lat: 1, lon: 1}}",
                                     limits: "{access_log: \(log.path), access_log_format: json}")
        let url = "http://127.0.1.1:\(edge.port)/media/t/v/1.m4s"
        XCTAssertEqual(try curl(url + "?CMCD=" + sample.queryValue).headers["x-cache"], "MISS")
        let headerArguments = sample.headers.flatMap { ["-H", "\($0.name): \($0.value)"] }
        XCTAssertEqual(try curl(url, headerArguments).headers["x-cache"], "HIT", "CMCD is not part of the cache key")
        XCTAssertEqual(try curl(url).headers["x-cache"], "HIT")
        edge.server.context.accessLog.flush()
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(lines.count, 3)
        let objects = try lines.map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        for object in objects.prefix(2) {
            let cmcd = try XCTUnwrap(object["cmcd"] as? [String: Any], "\(object)")
            XCTAssertEqual(cmcd["br"] as? Int, 3200)
            XCTAssertEqual(cmcd["bl"] as? Int, 21_300)
            XCTAssertEqual(cmcd["ot"] as? String, "v")
            XCTAssertEqual(cmcd["sid"] as? String, "6e2fb550-c457-11e9-bb97-0800200c9a66")
            XCTAssertEqual(object["zone"] as? String, "loopback")
        }
        XCTAssertNil(objects[2]["cmcd"], "a request without CMCD has none")
        let metrics = try String(decoding: curl("http://127.0.1.1:\(edge.port)/metrics").body, as: UTF8.self)
        XCTAssertTrue(metrics.contains("dashcdn_client_buffer_seconds_count{zone=\"loopback\"} 2"), metrics)
        XCTAssertTrue(metrics.contains("dashcdn_client_throughput_kbps_bucket{zone=\"loopback\",le=\"50000.0\"} 2"), metrics)
    }

    func testANextObjectHintMakesTheNextSegmentAHitWithOneUpstreamFetch() throws {
        let cdn = try TestCDN(name: "cmcd-nor", segments: 3)
        defer { cdn.stop() }
        let edge = try cdn.startEdge()
        let base = "http://127.0.1.1:\(edge.port)/Media/t/v/"
        var hint = CMCDData()
        hint.nextObjectRequest = "2.m4s"
        XCTAssertEqual(try curl(base + "1.m4s?CMCD=" + hint.queryValue).headers["x-cache"], "MISS")
        // The prefetch runs after the answer; give it a moment to land in the cache.
        for _ in 0..<50 where !FileManager.default.fileExists(atPath: edge.cache!.path(for: "/Media/t/v/2.m4s")) {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let next = try curl(base + "2.m4s")
        XCTAssertEqual(next.headers["x-cache"], "HIT", "fetched before it was asked for")
        XCTAssertEqual(next.body, try cdn.file("Media/t/v/2.m4s"))
        XCTAssertEqual(try curl(base + "3.m4s").headers["x-cache"], "MISS", "no hint, no prefetch")
        let metrics = String(decoding: try curl("http://127.0.1.1:\(edge.port)/metrics").body, as: UTF8.self)
        XCTAssertTrue(metrics.contains("dashcdn_upstream_fetches_total 3"), "one fetch per object: \(metrics)")
        var outside = CMCDData()
        outside.nextObjectRequest = "../../../../etc/passwd"
        XCTAssertEqual(try curl(base + "1.m4s?CMCD=" + outside.queryValue).status, 200, "a hint outside the layout is ignored")
    }
}
