@testable import ABR
import XCTest

/// The plot draws what the player lived through, on round axes.
final class SessionPlotTests: XCTestCase {
    private func record(_ segment: Int, at time: Double, buffer: Double, stall: Double = 0, edge: String = "edge-chi") -> SegmentRecord {
        SegmentRecord(time: time, segment: segment, representation: "720p", level: 2, bitrateKbps: 3000, bytes: 1_500_000,
                      download: 1, throughputKbps: 4000, buffer: buffer, stall: stall, edge: edge)
    }

    func testTheBufferDrainsToZeroAtAStallAndStaysThereUntilTheSegmentArrives() {
        let records = [
            record(1, at: 1, buffer: 4, stall: 1),
            record(2, at: 3, buffer: 6),
            // 6 s left at t=3; the next segment arrives at t=11.5 after a 2.5 s stall.
            record(3, at: 11.5, buffer: 4, stall: 2.5, edge: "edge-nyc"),
        ]
        let trace = SessionPlot(title: "t", records: records).bufferTrace()
        XCTAssertEqual(trace.map(\.0), [0, 1, 1, 3, 3, 9, 9, 11.5, 11.5])
        XCTAssertEqual(trace.map(\.1), [0, 0, 4, 2, 6, 0, 0, 0, 4], "drains 1 s per second, flat at 0 through the stall")
    }

    func testTicksAreRoundAndEdgeChangesAreMarked() {
        let records = [record(1, at: 2, buffer: 4, stall: 2), record(2, at: 37, buffer: 11), record(3, at: 63, buffer: 9, edge: "edge-nyc")]
        let svg = SessionPlot(title: "t", records: records, maxBuffer: 12).svg()
        for tick in ["0", "20", "40", "60", "5", "10", "15"] {
            XCTAssertTrue(svg.contains("text-anchor=\"middle\">\(tick)</text>") || svg.contains("text-anchor=\"end\">\(tick)</text>"),
                          "tick \(tick) missing")
        }
        XCTAssertFalse(svg.contains(">12.6<") || svg.contains(">37.8<"), "no tick at a fraction of the range")
        XCTAssertTrue(svg.contains(">edge-nyc</text>"), "the change to edge-nyc is named")
        XCTAssertEqual(svg.components(separatedBy: "stroke=\"#8e44ad\"").count - 1, 2, "one mark per panel for one change")
    }
}
