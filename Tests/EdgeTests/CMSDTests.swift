import CMCD
@testable import Edge
import Foundation
import TestSupport
import XCTest

/// CTA-5006 as the edge writes it and the player reads it.
final class CMSDTests: XCTestCase {
    func testHeadersAreWrittenAndReadAsTheSpecSays() {
        XCTAssertEqual(CMSDStatic(objectType: .manifest, streamType: "v", streamingFormat: "d").headerValue, "ot=m,sf=d,st=v")
        XCTAssertEqual(CMSDStatic(headerValue: "ot=v, st=v,zz=1,sf=h"), CMSDStatic(objectType: .video, streamType: "v", streamingFormat: "h"))
        XCTAssertEqual(CMSDDynamic(server: "edge-nyc", estimatedThroughputKbps: 5230, roundTripMs: 21).headerValue,
                       "\"edge-nyc\";etp=5230;rtt=21")
        // Each server on the path appends its own entry: the last is the one nearest the player.
        let path = CMSDDynamic.entries(in: "\"origin\";etp=90000, \"edge;a,b\";etp=4800;rtt=35;mb=9000, bare;etp=1, \"x\";etp=-4;rtt=z")
        XCTAssertEqual(path, [CMSDDynamic(server: "origin", estimatedThroughputKbps: 90_000),
                              CMSDDynamic(server: "edge;a,b", estimatedThroughputKbps: 4800, roundTripMs: 35),
                              CMSDDynamic(server: "x")],
                       "quoted separators are no separators; a bare name and bad numbers are left out")
    }

    func testTheEstimateMeasuresBodiesAndIsCappedByTheEmulatedLink() {
        var estimate = DeliveryEstimate()
        XCTAssertNil(estimate.serverData(server: "e"), "nothing known yet")
        estimate.tcpReading(rttMicroseconds: 20_000, at: 0)
        XCTAssertEqual(estimate.serverData(server: "e"), CMSDDynamic(server: "e", roundTripMs: 20), "no body yet: no throughput")
        XCTAssertFalse(estimate.needsTCPReading(at: 0.5))
        XCTAssertTrue(estimate.needsTCPReading(at: 1.0))
        estimate.bodySent(bytes: 10_000, seconds: 0.001)
        XCTAssertNil(estimate.serverData(server: "e")?.estimatedThroughputKbps, "a body that fits the socket buffer says nothing")
        estimate.bodySent(bytes: 1_000_000, seconds: 2)
        XCTAssertEqual(estimate.serverData(server: "e")?.estimatedThroughputKbps, 4000)
        estimate.bodySent(bytes: 1_000_000, seconds: 1)
        XCTAssertEqual(estimate.serverData(server: "e")?.estimatedThroughputKbps, 6000, "half old, half new")
        estimate.linkBitsPerSecond = 3_000_000
        estimate.linkDelay = 0.03
        XCTAssertEqual(estimate.serverData(server: "e"), CMSDDynamic(server: "e", estimatedThroughputKbps: 3000, roundTripMs: 50),
                       "never above the emulated link; its delay is in the round trip")
    }

    func testTheEdgeSaysWhatEachObjectIsAndHowFastItsBodiesLeave() throws {
        let cdn = try TestCDN(name: "cmsd", segments: 3, segmentBytes: 256 * 1024)
        defer { cdn.stop() }
        let audio = cdn.root.appendingPathComponent("Media/t/audio")
        try FileManager.default.createDirectory(at: audio, withIntermediateDirectories: true)
        try Data(repeating: 1, count: 2000).write(to: audio.appendingPathComponent("1.m4s"))
        let edge = try cdn.startEdge(extra: ", link: {rate_mbps: 8}")
        let base = "http://127.0.1.1:\(edge.port)"
        let kinds = try ["/Manifests/t.mpd", "/Media/t/v/init.mp4", "/Media/t/v/1.m4s", "/Media/t/audio/1.m4s"].map {
            try curl(base + $0).headers["cmsd-static"]
        }
        XCTAssertEqual(kinds, ["ot=m,sf=d,st=v", "ot=i,st=v", "ot=v,st=v", "ot=a,st=v"])
        let preflight = try curl(base + "/Media/t/v/1.m4s", ["-X", "OPTIONS"])
        XCTAssertNil(preflight.headers["cmsd-dynamic"], "no object, no delivery to describe")
        XCTAssertTrue(try curl(base + "/Media/t/v/1.m4s").headers["access-control-expose-headers"]?.contains("CMSD-Dynamic") == true,
                      "a browser player may read it")

        // Two bodies on one connection at 8 Mbit/s: the second response reports the first's rate.
        let connection = try RawConnection(port: edge.port, host: "127.0.1.1", timeout: 10)
        var entries: [CMSDDynamic] = []
        for number in [2, 3] {
            connection.send("GET /Media/t/v/\(number).m4s HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = connection.receive(until: { $0.count >= 256 * 1024 + Self.headLength(of: $0) })
            let head = String(decoding: response.prefix(Self.headLength(of: response)), as: UTF8.self)
            let line = try XCTUnwrap(head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("cmsd-dynamic:") }, head)
            entries += CMSDDynamic.entries(in: String(line.dropFirst("cmsd-dynamic:".count)))
        }
        XCTAssertEqual(entries.map(\.server), ["edge0", "edge0"])
        let measured = try XCTUnwrap(entries.last?.estimatedThroughputKbps)
        XCTAssertTrue((6000...8000).contains(measured), "8 Mbit/s link, etp \(measured) kbps")
        XCTAssertNotNil(entries.last?.roundTripMs)
    }

    /// Bytes up to and including the blank line ending the head (a huge number until it has arrived).
    private static func headLength(of bytes: [UInt8]) -> Int {
        let end: [UInt8] = Array("\r\n\r\n".utf8)
        guard bytes.count >= 4 else { return Int.max / 2 }
        for index in 0...(bytes.count - 4) where Array(bytes[index..<index + 4]) == end { return index + 4 }
        return Int.max / 2
    }
}
