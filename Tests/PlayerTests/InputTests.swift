@testable import ABR
import Foundation
@testable import Player
import TestSupport
@testable import Traces
import XCTest

/// Every trace format read, and every malformed input refused with a line that says why.
final class InputTests: XCTestCase {
    func testReadsPensieveMahimahiAndSabreTraces() throws {
        let pensieve = try TraceLoader.loadFile(path: Fixtures.writeTemporary("0 1.5\n1 2\n2 3.5\n", name: "p.txt"))
        XCTAssertEqual(pensieve.mbps, [1.5, 2, 3.5])

        // 1000 packets in the first second, 500 in the second: 12 and 6 Mbit/s.
        let stamps = (0..<1000).map { "\($0)" } + (0..<500).map { "\(1000 + 2 * $0)" }
        let mahimahi = try TraceLoader.loadFile(path: Fixtures.writeTemporary(stamps.joined(separator: "\n"), name: "m.log"))
        XCTAssertEqual(mahimahi.mbps.dropFirst().map { ($0 * 10).rounded() / 10 }, [12, 6])

        let sabre = try TraceLoader.loadFile(path: Fixtures.writeTemporary(
            #"[{"duration_ms": 2000, "bandwidth_kbps": 5000, "latency_ms": 40}, {"duration_ms": 1000, "bandwidth_kbps": 1000, "latency_ms": 100}]"#,
            name: "s.json"))
        XCTAssertEqual(sabre.times, [0, 2, 3])
        XCTAssertEqual(sabre.mbps.dropFirst().map { $0 }, [5, 1])
        XCTAssertEqual(sabre.latencies?.dropFirst().map { $0 }, [0.04, 0.1])
    }

    func testMalformedTracesAreRefusedWithTheReason() throws {
        let cases: [(String, String)] = [
            ("", "empty"),
            ("0 1\n1 x\n", "line 2"),
            ("0 1\n2 1\n1 1\n", "time goes backwards"),
            ("0 0\n1 0\n2 0\n", "never carries any data"),
            ("0 1 2\n", "3 columns"),
            ("0 1\n1\n", "line 2"),
            ("[{\"duration_ms\": 0, \"bandwidth_kbps\": 1}]", "no positive duration_ms"),
            ("[{\"bandwidth\": 1}]", "not a Sabre network trace"),
        ]
        for (text, reason) in cases {
            let path = try Fixtures.writeTemporary(text, name: "bad.txt")
            XCTAssertThrowsError(try TraceLoader.loadFile(path: path), text) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(text.debugDescription): \(error)")
                XCTAssertTrue("\(error)".hasPrefix(path), "\(error)")
            }
        }
    }

    func testMalformedVideosAreRefusedWithTheReason() throws {
        let cases: [(String, String)] = [
            ("{}", "not a Sabre movie JSON"),
            (#"{"segment_duration_ms": 4000, "bitrates_kbps": [300, 750], "segment_sizes_bits": [[1, 2, 3]]}"#, "segment 1 has 3 sizes for 2 levels"),
            (#"{"segment_duration_ms": 4000, "bitrates_kbps": [750, 300], "segment_sizes_bits": [[1, 2]]}"#, "lowest first"),
            (#"{"segment_duration_ms": 0, "bitrates_kbps": [300], "segment_sizes_bits": [[1]]}"#, "segment duration"),
            (#"{"segment_duration_ms": 4000, "bitrates_kbps": [300], "segment_sizes_bits": []}"#, "no segments"),
        ]
        for (text, reason) in cases {
            let path = try Fixtures.writeTemporary(text, name: "video.json")
            XCTAssertThrowsError(try VideoTable.load(path: path), text) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(text): \(error)")
            }
        }
        XCTAssertThrowsError(try VideoTable.load(path: "/nonexistent/movie.mpd")) { error in
            XCTAssertTrue("\(error)".contains("no such file"), "\(error)")
        }
    }
}

/// `dashcdn simulate` as a user runs it.
final class SimulateCommandTests: XCTestCase {
    func testAggregateTableAndJSON() throws {
        let folder = try Paths.temporaryFolder("simulate-json")
        let json = folder.appendingPathComponent("results.json").path
        let run = try dashcdn(["simulate", "--video", Fixtures.referenceVideo, "--traces", Fixtures.trainingTraces,
                               "--abr", "bba,default,bba", "--threads", "1", "--json", json])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("QoE_lin/session"), run.stdout)
        XCTAssertTrue(run.stdout.contains("sessions/s"), "each rule's speed in the table: \(run.stdout)")
        XCTAssertTrue(run.stderr.contains("sessions/s"), run.stderr)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let rules = document["rules"] as! [[String: Any]]
        XCTAssertEqual(rules.map { $0["rule"] as! String }, ["bba", "default"], "a rule named twice runs once")
        XCTAssertEqual(document["video"] as? String, Fixtures.referenceVideo)
        XCTAssertEqual(document["network_model"] as? String, "pensieve")
        XCTAssertTrue((document["startup"] as? String ?? "").contains("750 kbps"), "\(document["startup"] ?? "")")
        XCTAssertEqual(document["abandonment"] as? Bool, false)
        for key in ["traces", "mean_qoe_lin", "mean_bitrate_kbps", "mean_rebuffer_s", "mean_switches", "per_trace", "sessions_per_s"] {
            XCTAssertNotNil(rules[0][key], key)
        }
        let perTrace = rules[0]["per_trace"] as! [[String: Any]]
        XCTAssertEqual(perTrace.count, 127)
        XCTAssertEqual(Set(perTrace[0].keys), ["trace", "qoe_lin", "bitrate_kbps", "rebuffer_s", "switches"])
    }

    /// `--abandon` plays as the live player does: robust MPC's long downloads that outlast the
    /// buffer are given up, so it stalls less over the training traces (841 s without, 668 with).
    func testAbandonGivesUpDownloadsThatWouldStall() throws {
        let folder = try Paths.temporaryFolder("simulate-abandon")
        func rebuffer(_ flags: [String]) throws -> (seconds: Double, abandonment: Bool?) {
            let json = folder.appendingPathComponent("r\(flags.count).json").path
            let run = try dashcdn(["simulate", "--video", Fixtures.referenceVideo, "--traces", Fixtures.trainingTraces,
                                   "--abr", "robustmpc", "--json", json] + flags)
            XCTAssertEqual(run.status, 0, run.stderr)
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
            let rule = (document["rules"] as! [[String: Any]])[0]
            return ((rule["mean_rebuffer_s"] as! Double) * Double(rule["traces"] as! Int), document["abandonment"] as? Bool)
        }
        let finishing = try rebuffer([])
        let abandoning = try rebuffer(["--abandon"])
        XCTAssertEqual(abandoning.abandonment, true)
        XCTAssertLessThan(abandoning.seconds, finishing.seconds * 0.9, "\(abandoning.seconds) vs \(finishing.seconds)")
    }

    /// `--optimum` adds the offline optimum and each rule's share of it, and writes it per trace.
    func testOptimumIsReportedWithEachRulesShare() throws {
        let folder = try Paths.temporaryFolder("simulate-optimum")
        let traces = folder.appendingPathComponent("traces")
        try FileManager.default.createDirectory(at: traces, withIntermediateDirectories: true)
        for (name, mbps) in [("steady", [3.0]), ("fading", [4.0, 4.0, 0.5, 0.5, 4.0])] {
            let lines = (0..<300).map { "\($0) \(mbps[($0 / 20) % mbps.count])" }
            try lines.joined(separator: "\n").write(to: traces.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        let json = folder.appendingPathComponent("r.json").path
        let run = try dashcdn(["simulate", "--video", Fixtures.referenceVideo, "--traces", traces.path,
                               "--abr", "robustmpc,default", "--optimum", "--optimum-resolution", "2", "--json", json])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertTrue(run.stdout.contains("offline optimum"), run.stdout)
        XCTAssertTrue(run.stdout.contains("robustmpc ") && run.stdout.contains(" %"), run.stdout)
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as! [String: Any]
        let optimum = try XCTUnwrap(document["optimum"] as? [String: Any])
        XCTAssertEqual(optimum["resolution_s"] as? Double, 2)
        XCTAssertEqual((optimum["per_trace"] as? [[String: Any]])?.count, 2)
        let best = try XCTUnwrap(optimum["mean_qoe_lin"] as? Double)
        for rule in document["rules"] as! [[String: Any]] {
            XCTAssertLessThanOrEqual(rule["mean_qoe_lin"] as! Double, best, "\(rule["rule"] ?? "")")
        }
        let one = try dashcdn(["simulate", "--video", Fixtures.referenceVideo, "--traces", traces.path, "--trace", "fading",
                               "--abr", "bba", "--optimum"])
        XCTAssertEqual(one.status, 0, one.stderr)
        XCTAssertTrue(one.stdout.contains("offline optimum") && one.stdout.contains("bba "), "one session too: \(one.stdout)")
        let bad = try dashcdn(["simulate", "--video", Fixtures.referenceVideo, "--traces", traces.path, "--optimum-resolution", "0"])
        XCTAssertNotEqual(bad.status, 0)
        XCTAssertTrue(bad.stderr.contains("--optimum-resolution"), bad.stderr)
    }

    func testOneTraceLogsEverySegmentAndWritesCSVJSONLAndPlot() throws {
        let folder = try Paths.temporaryFolder("simulate-one")
        let trace = try FileManager.default.contentsOfDirectory(atPath: Fixtures.trainingTraces).sorted()[0]
        let files = ["csv": "s.csv", "jsonl": "s.jsonl", "plot": "s.svg"].mapValues { folder.appendingPathComponent($0).path }
        let run = try dashcdn(["simulate", "--video", Fixtures.referenceVideo, "--traces", Fixtures.trainingTraces,
                               "--trace", trace, "--abr", "bola", "--csv", files["csv"]!, "--jsonl", files["jsonl"]!,
                               "--plot", files["plot"]!])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout.components(separatedBy: "\n").filter { $0.contains(" seg ") }.count, 48, run.stdout)
        XCTAssertTrue(run.stdout.contains("QoE_lin"), run.stdout)

        let csv = try String(contentsOfFile: files["csv"]!, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(csv.first, "t_s,segment,representation,bitrate_kbps,bytes,download_s,throughput_kbps,buffer_s,stall_s,edge,cmsd_etp_kbps,cmsd_rtt_ms")
        XCTAssertEqual(csv.count, 49)
        let jsonl = try String(contentsOfFile: files["jsonl"]!, encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(jsonl.count, 49)
        let summary = try JSONSerialization.jsonObject(with: Data(jsonl.last!.utf8)) as! [String: Any]
        XCTAssertEqual(summary["summary"] as? Bool, true)
        for key in ["startup_s", "mean_bitrate_kbps", "switches", "stalls", "stall_s", "qoe_lin"] {
            XCTAssertNotNil(summary[key], key)
        }
        let first = try JSONSerialization.jsonObject(with: Data(jsonl.first!.utf8)) as! [String: Any]
        for key in ["t_s", "segment", "representation", "bitrate_kbps", "bytes", "download_s", "throughput_kbps", "buffer_s", "stall_s", "edge"] {
            XCTAssertNotNil(first[key], key)
        }
        let svg = try String(contentsOfFile: files["plot"]!, encoding: .utf8)
        XCTAssertTrue(svg.hasPrefix("<svg"), svg)
        XCTAssertTrue(svg.contains("chosen bitrate") && svg.contains("buffer level"), svg)
        // Nothing half-written is left beside the outputs.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }, [])
    }

    func testBadInputGivesOneLineAndExitOne() throws {
        let cases: [([String], String)] = [
            (["--abr", "mpc"], "unknown ABR rule"),
            (["--network-model", "ns3"], "'ns3' is invalid for '--network-model"),
            (["--trace", "nope.txt"], "no trace named 'nope.txt'"),
            (["--plot", "/tmp/x.svg"], "pick a trace with --trace"),
        ]
        for (extra, reason) in cases {
            let run = try dashcdn(["simulate", "--video", Fixtures.referenceVideo, "--traces", Fixtures.trainingTraces] + extra)
            XCTAssertEqual(run.status, 1, "\(extra)")
            XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
            XCTAssertTrue(run.stderr.hasPrefix("dashcdn: error: ") && run.stderr.contains(reason), run.stderr)
        }
        let missing = try dashcdn(["simulate", "--video", "/nonexistent.json", "--traces", Fixtures.trainingTraces])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("/nonexistent.json"), missing.stderr)
    }
}
