import Foundation
import MPD
import Player
import TestSupport
import XCTest

/// The live player against real edges and the redirector on loopback, with emulated links.
/// Each session plays the 16-second ladder in real time.
final class LivePlaybackTests: XCTestCase {
    private var cdn: PlaybackCDN?

    override func tearDown() {
        cdn?.stop()
        cdn = nil
    }

    private func start(_ name: String, edgeFields: @escaping (String) -> String = { _ in "" }) throws -> PlaybackCDN {
        let made = try PlaybackCDN(name: name, edgeFields: edgeFields)
        cdn = made
        return made
    }

    func testEachZoneReachesItsNearestEdgeByDNSRedirectAndSteering() async throws {
        let cdn = try start("zones")
        let boston = SessionProbe(), stLouis = SessionProbe(), seattle = SessionProbe()
        async let viaDNS = boston.play(cdn.cdnURL, PlaySettings(mode: cdn.dnsMode, sourceAddress: "127.0.10.5"))
        async let viaRedirect = stLouis.play(cdn.redirectURL, PlaySettings(mode: .redirect, sourceAddress: "127.0.20.5"))
        async let viaSteering = seattle.play(cdn.steeringURL, PlaySettings(mode: .steering, sourceAddress: "127.0.30.5"))
        let reports = try await [viaDNS, viaRedirect, viaSteering]
        XCTAssertEqual(boston.records.first?.edge, "edge-nyc", "Boston is nearest New York")
        XCTAssertEqual(stLouis.records.first?.edge, "127.0.1.2:\(cdn.ports[1])", "St. Louis is nearest Chicago")
        XCTAssertEqual(seattle.records.first?.edge, "edge-sfo", "Seattle is nearest San Francisco")
        for report in reports {
            XCTAssertEqual(report.records.map(\.segment), Array(1...EncodedLadder.segments))
            XCTAssertEqual(report.audioSegments, EncodedLadder.segments, "audio is downloaded beside the video")
            XCTAssertEqual(report.edges.count, 1, "no reason to leave the nearest edge: \(report.edges)")
            XCTAssertEqual(report.summary.stalls, 0)
        }
    }

    func testTheHLSPlaylistsPlayThroughDNSRedirectAndSteeringToo() async throws {
        let cdn = try start("hls")
        let hls = { (url: String) in String(url.dropLast(4)) + ".m3u8" }
        let (dnsURL, redirectURL, steeringURL) = (hls(cdn.cdnURL), hls(cdn.redirectURL), hls(cdn.steeringURL))
        let boston = SessionProbe(), stLouis = SessionProbe(), seattle = SessionProbe()
        async let viaDNS = boston.play(dnsURL, PlaySettings(mode: cdn.dnsMode, sourceAddress: "127.0.10.5"))
        async let viaRedirect = stLouis.play(redirectURL, PlaySettings(mode: .redirect, sourceAddress: "127.0.20.5"))
        // The origin's `clip.steering.m3u8`: every variant once per edge with PATHWAY-ID, and
        // EXT-X-CONTENT-STEERING pointing at the redirector, which orders them for Seattle.
        async let viaSteering = seattle.play(steeringURL, PlaySettings(mode: .steering, sourceAddress: "127.0.30.5"))
        let reports = try await [viaDNS, viaRedirect, viaSteering]
        XCTAssertEqual(boston.records.first?.edge, "edge-nyc")
        XCTAssertEqual(stLouis.records.first?.edge, "127.0.1.2:\(cdn.ports[1])")
        XCTAssertEqual(seattle.records.first?.edge, "edge-sfo")
        // ffmpeg's HLS demuxer decodes every variant through an edge, without a message.
        let edgePlaylist = String(cdn.edgeURL(0).dropLast(4)) + ".m3u8"
        for variant in 0..<3 {
            let decode = try runProcess("ffmpeg", ["-v", "error", "-i", edgePlaylist, "-map", "0:v:\(variant)", "-map", "0:a:0",
                                                   "-f", "null", "-"], timeout: 60)
            XCTAssertEqual(decode.status, 0, decode.stderr)
            XCTAssertEqual(decode.stderr, "", "variant \(variant)")
        }
        let bandwidths = try EncodedLadder.bandwidths()
        for report in reports {
            XCTAssertEqual(report.records.map(\.segment), Array(1...EncodedLadder.segments))
            XCTAssertEqual(report.audioSegments, EncodedLadder.segments, "the default audio rendition is played beside")
            XCTAssertEqual(report.summary.stalls, 0)
            // Each variant's BANDWIDTH is its peak with the audio's: above the MPD's for the same rung.
            XCTAssertTrue(report.records.allSatisfy { record in Int(record.bitrateKbps * 1000) >= bandwidths[record.level] },
                          "\(report.records.map(\.bitrateKbps)) vs \(bandwidths)")
        }
    }

    func testARateCapBelowTheTopRungSettlesBelowItWithoutStalls() async throws {
        let bandwidths = try EncodedLadder.bandwidths()
        // Between the middle and the top rung, on every edge's uplink.
        let capKbps = (Double(bandwidths[1]) * Double(bandwidths[2])).squareRoot() / 1000
        let cdn = try start("cap") { _ in ", link: {rate_mbps: \(capKbps / 1000)}" }
        // The rate-based rule and the default (MPC) rule side by side, on two edges; the
        // default counts the edge's CMSD estimate as a sample too.
        let rateBased = SessionProbe(), byDefault = SessionProbe()
        async let throughputReport = rateBased.play(cdn.edgeURL(0), PlaySettings(rule: .throughput, maxBuffer: 8))
        var withServerEstimate = PlaySettings(maxBuffer: 8)
        withServerEstimate.serverThroughput = true
        async let defaultReport = byDefault.play(cdn.edgeURL(1), withServerEstimate)
        let reports = try await [throughputReport, defaultReport]
        for report in reports {
            let levels = report.records.map(\.level)
            XCTAssertEqual(report.summary.stalls, 0, "levels \(levels)")
            XCTAssertEqual(levels.dropFirst(2).sorted()[(levels.count - 2) / 2], 1, "settles on the middle rung: \(levels)")
            let measured = report.records.filter { $0.bytes > 50_000 }.map(\.throughputKbps)
            XCTAssertTrue(measured.allSatisfy { $0 < capKbps * 1.1 }, "measured \(measured) against a \(capKbps) kbit/s cap")
            // The edge's CMSD estimate reaches the player and is the link's rate.
            let told = report.records.dropFirst().compactMap(\.serverThroughputKbps).map(Double.init)
            XCTAssertEqual(told.count, report.records.count - 1, "every segment's response carries CMSD-Dynamic etp")
            XCTAssertTrue(told.allSatisfy { $0 <= capKbps * 1.01 && $0 > capKbps * 0.6 }, "etp \(told) on a \(capKbps) kbit/s link")
        }
        // The rate-based rule never asks for more than the link carries; MPC may spend buffer
        // on a higher rung near the end, where the remaining segments are few.
        XCTAssertTrue(reports[0].records.dropFirst(2).allSatisfy { $0.bitrateKbps < capKbps },
                      "above the \(capKbps) kbit/s cap: \(reports[0].records.map(\.level))")
    }

    func testAKilledEdgeIsLeftForAnotherAndPlaybackCompletes() async throws {
        let cdn = try start("failover") { _ in ", link: {rate_mbps: 4}" }
        let probe = SessionProbe()
        let report = try await probe.play(cdn.cdnURL, PlaySettings(mode: cdn.dnsMode, sourceAddress: "127.0.20.5", maxBuffer: 6)) { record in
            if record.segment == 3 { DispatchQueue.global().async { cdn.kill(1) } }
        }
        XCTAssertEqual(report.records.map(\.segment), Array(1...EncodedLadder.segments), "every segment played")
        XCTAssertEqual(report.records.first?.edge, "edge-chi")
        XCTAssertNotEqual(report.records.last?.edge, "edge-chi")
        XCTAssertEqual(report.edges.first, "edge-chi")
        XCTAssertGreaterThanOrEqual(report.edges.count, 2, "\(report.edges)")
        XCTAssertTrue(probe.log.contains { $0.hasPrefix("edge edge-chi:") }, "the failure is logged: \(probe.log)")
    }

    func testASegmentMissingEverywhereIsSkippedAndPlaybackGoesOn() async throws {
        // A copy of the ladder with segment 4 gone from every representation.
        let root = try Paths.temporaryFolder("missing-segment")
        let source = try EncodedLadder.root()
        for folder in ["Manifests", "Media"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(folder), to: root.appendingPathComponent(folder))
        }
        let media = root.appendingPathComponent("Media/\(EncodedLadder.title)")
        for representation in try FileManager.default.contentsOfDirectory(atPath: media.path) {
            try? FileManager.default.removeItem(at: media.appendingPathComponent("\(representation)/4.m4s"))
        }
        let origin = try PlaybackCDN.plainOrigin(root: root)
        defer { origin.stop() }
        let probe = SessionProbe()
        let report = try await probe.play("http://127.0.0.1:\(origin.port)/manifests/\(EncodedLadder.title).mpd", PlaySettings(maxBuffer: 8))
        XCTAssertEqual(report.skippedSegments, 1)
        XCTAssertEqual(report.records.map(\.segment), [1, 2, 3, 5, 6, 7, 8])
        XCTAssertTrue(probe.log.contains { $0.contains("segment 4") && $0.contains("404") }, "\(probe.log)")
    }
}
