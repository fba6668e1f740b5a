import Foundation
import TestSupport
import XCTest

/// `dashcdn play` as a user runs it: its lines, its files, and its one-line errors.
final class PlayCommandTests: XCTestCase {
    func testACapThatDropsMidStreamIsFollowedDownAndLogged() throws {
        let bandwidths = try EncodedLadder.bandwidths()
        let folder = try Paths.temporaryFolder("cap-drop")
        // Pensieve trace (each line's rate holds since the line before): room for the top rung
        // for 3 s, then less than the middle rung needs.
        let high = Double(bandwidths[2]) * 2 / 1e6, low = Double(bandwidths[0] + bandwidths[1]) / 2 / 1e6
        let trace = folder.appendingPathComponent("drop.txt")
        try (0...600).map { "\($0) \($0 <= 3 ? high : low)" }.joined(separator: "\n")
            .write(to: trace, atomically: true, encoding: .utf8)
        let cdn = try PlaybackCDN(name: "cap-drop-cdn") { _ in ", link: {trace: \(trace.path)}" }
        defer { cdn.stop() }
        let files = ["csv", "jsonl", "svg"].map { folder.appendingPathComponent("session.\($0)").path }
        let run = try dashcdn(["play", cdn.edgeURL(0), "--max-buffer", "8", "--csv", files[0], "--jsonl", files[1], "--plot", files[2]],
                              timeout: 90)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").filter { $0.contains(" seg ") }
        XCTAssertEqual(lines.count, EncodedLadder.segments, run.stdout)
        // "   1.29s  seg    1        180p    657 kbps ...": the figure before the first "kbps".
        let kbps = lines.map { line -> Int in
            let words = line.split(separator: " ")
            return Int(words[words.firstIndex(of: "kbps")! - 1]) ?? -1
        }
        let top = Int((Double(bandwidths[2]) / 1000).rounded()), bottom = Int((Double(bandwidths[0]) / 1000).rounded())
        XCTAssertTrue(kbps.prefix(4).contains(top), "reaches the top rung while the link allows: \(kbps)")
        XCTAssertEqual(Array(kbps.suffix(2)), [bottom, bottom], "steps down once it drops: \(kbps)\n\(run.stdout)\n\(run.stderr)")
        XCTAssertTrue(run.stdout.contains("mean bitrate") && run.stdout.contains("QoE_lin"), run.stdout)

        let csv = try String(contentsOfFile: files[0], encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "t_s,segment,representation,bitrate_kbps,bytes,download_s,throughput_kbps,buffer_s,stall_s,edge,cmsd_etp_kbps,cmsd_rtt_ms")
        XCTAssertEqual(csv.count, EncodedLadder.segments + 1)
        // The edge measures its bodies leaving on the traced link: its estimate follows the drop.
        let estimates = csv.dropFirst().compactMap { $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().last.flatMap { Double($0) } }
        XCTAssertGreaterThan(estimates.count, EncodedLadder.segments / 2, "CMSD etp in the log: \(csv)")
        XCTAssertLessThan(estimates.last ?? .infinity, estimates.max()! * 0.6, "CMSD etp follows the drop to \(low) Mbit/s: \(estimates)")
        XCTAssertTrue(lines.last?.contains(" etp ") == true, "the log line shows it: \(lines.last ?? "")")
        let jsonl = try String(contentsOfFile: files[1], encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(jsonl.count, EncodedLadder.segments + 1)
        let summary = try JSONSerialization.jsonObject(with: Data(jsonl.last!.utf8)) as? [String: Any]
        XCTAssertEqual(summary?["summary"] as? Bool, true)
        XCTAssertNotNil(summary?["qoe_lin"])
        let record = try JSONSerialization.jsonObject(with: Data(jsonl[0].utf8)) as? [String: Any]
        XCTAssertEqual(Set(record?.keys.map { $0 } ?? []).isSuperset(of: ["t_s", "segment", "representation", "bitrate_kbps", "bytes",
                                                                          "download_s", "throughput_kbps", "buffer_s", "stall_s", "edge"]), true)
        XCTAssertTrue(try String(contentsOfFile: files[2], encoding: .utf8).contains("<svg"))
    }

    func testBadInputGetsOneClearLineAndNoHang() throws {
        let root = try Paths.temporaryFolder("play-bad-input")
        let manifests = root.appendingPathComponent("Manifests")
        try FileManager.default.createDirectory(at: manifests, withIntermediateDirectories: true)
        try "<MPD><Period>".write(to: manifests.appendingPathComponent("cut.mpd"), atomically: true, encoding: .utf8)
        try """
        <MPD mediaPresentationDuration="PT4S"><Period><AdaptationSet contentType="audio">
          <Representation id="a" bandwidth="128000"><SegmentTemplate duration="4" media="$Number$.m4s"/></Representation>
        </AdaptationSet></Period></MPD>
        """.write(to: manifests.appendingPathComponent("audio.mpd"), atomically: true, encoding: .utf8)
        let origin = try PlaybackCDN.plainOrigin(root: root)
        defer { origin.stop() }
        let base = "http://127.0.0.1:\(origin.port)/manifests"
        let loop = try CannedServer(.respond("HTTP/1.1 302 Found\r\nLocation: /again.mpd\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"))
        let resets = try CannedServer(.reset)
        defer { loop.stop(); resets.stop() }
        let cases: [([String], String)] = [
            (["http://127.0.0.1:9/manifests/x.mpd"], "refused"),
            (["ftp://example.test/x.mpd"], "expected an http:// URL"),
            (["\(base)/missing.mpd"], "HTTP 404"),
            (["\(base)/cut.mpd"], "malformed MPD"),
            (["\(base)/audio.mpd"], "no video AdaptationSet"),
            (["http://127.0.0.1:\(loop.port)/start.mpd"], "redirect loop"),
            (["http://127.0.0.1:\(resets.port)/x.mpd"], "127.0.0.1:\(resets.port)"),
            (["\(base)/x.mpd", "--dns", "127.0.0.1:53", "--redirect"], "choose one of"),
            (["\(base)/x.mpd", "--dns", "localhost"], "expected IPv4-ADDRESS:PORT"),
            (["\(base)/x.mpd", "--abr", "fastest"], "unknown ABR rule"),
            (["\(base)/x.mpd", "--source-address", "not-an-ip"], "not an IP address"),
            (["\(base)/x.mpd", "--max-buffer", "0.5"], "at least 2 seconds"),
        ]
        for (arguments, expected) in cases {
            let started = Date()
            let run = try dashcdn(["play"] + arguments, timeout: 30)
            XCTAssertNotEqual(run.status, 0, "\(arguments)")
            let errors = run.stderr.split(separator: "\n").filter { $0.hasPrefix("dashcdn: error:") }
            XCTAssertEqual(errors.count, 1, "\(arguments): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(expected), "\(arguments) should say \(expected): \(run.stderr)")
            XCTAssertLessThan(Date().timeIntervalSince(started), 15, "\(arguments) took too long")
        }
    }
}
