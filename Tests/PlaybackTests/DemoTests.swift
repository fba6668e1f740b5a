import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `dashcdn demo` end to end, shortened: a 16-second sample, its ladder, the CDN on ports of
/// this test's choosing, three clients from three zones, an edge stopped half-way.
final class DemoTests: XCTestCase {
    func testTheWholeChainRoutesEachZoneFailsOverAndReports() throws {
        let root = try Paths.temporaryFolder("demo")
        let ports = try (0..<5).map { _ in try unusedPort() }
        let config = root.appendingPathComponent("cdn.yaml")
        try TestTopology.yaml(edgePorts: Array(ports[1...3]), originPort: ports[0], root: root.path, redirectorHTTPPort: ports[4],
                              edgeFields: { ", cache_dir: \(root.path)/cache-\($0)" })
            .write(to: config, atomically: true, encoding: .utf8)
        let run = try dashcdn(["demo", "--config", config.path, "--title", "e2e", "--duration", "16", "--size", "320x180",
                               "--ladder", "160x90@120k,320x180@350k,320x180@1000k", "--segment-duration", "2", "--max-buffer", "6"],
                              timeout: 180)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        // Routing: each client's first segment comes from its zone's nearest edge.
        let chicago = "127.0.0.1:\(ports[2])"
        for (zone, nearest) in [("boston", "edge-nyc"), ("st-louis", chicago), ("seattle", "edge-sfo")] {
            let segments = lines.filter { $0.hasPrefix("[\(zone)]") && $0.contains(" seg ") }
            XCTAssertEqual(segments.count, 8, "\(zone) plays every segment:\n\(run.stdout)")
            XCTAssertTrue(segments.first?.hasSuffix(nearest) == true || segments.first?.contains("\(nearest) ") == true,
                          "\(zone) starts on \(nearest): \(segments.first ?? "none")")
        }
        // Failover: the stopped edge is named, the client's failure logged, and it ends elsewhere.
        XCTAssertTrue(run.stderr.contains("demo: stopping edge-chi"), run.stderr)
        XCTAssertTrue(run.stderr.contains("[st-louis] edge \(chicago):"), run.stderr)
        let table = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("client ") }, run.stdout)
        let rows = lines[(table + 1)...].prefix(3)
        XCTAssertTrue(zip(rows, ["boston", "st-louis", "seattle"]).allSatisfy { $0.contains(" \($1) ") }, "\(rows)")
        XCTAssertTrue(rows.allSatisfy { $0.contains("    8 ") }, "every client played 8 segments: \(rows)")
        XCTAssertTrue(rows[table + 2].contains("edge-chi -> edge-"), "the St. Louis client moved on: \(rows[table + 2])")
        for zone in ["boston", "st-louis", "seattle"] {
            let plot = root.appendingPathComponent("Media/demo/\(zone).svg").path
            XCTAssertTrue(run.stdout.contains(plot), run.stdout)
            XCTAssertTrue(FileManager.default.fileExists(atPath: plot))
        }
    }
}
