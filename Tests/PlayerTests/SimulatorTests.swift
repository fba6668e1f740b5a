@testable import ABR
import MPD
@testable import Player
@testable import Traces
import XCTest

extension Fixtures {
    static func referenceTable() throws -> SegmentSizeTable {
        try SegmentSizeTable.decode(Data(contentsOf: URL(fileURLWithPath: referenceVideo)))
    }
}

final class NetworkModelTests: XCTestCase {
    func testPensieveModelChargesOneRoundTripAndFivePercentOverhead() throws {
        var network = PensieveNetwork(trace: try Fixtures.constant(8))
        let transfer = network.download(bytes: 1_000_000)
        XCTAssertEqual(transfer.seconds, 1_000_000 / (1_000_000 * 0.95) + 0.08, accuracy: 1e-9)
        XCTAssertEqual(transfer.firstByte, 0.08)
    }

    func testTraceLoopsFromItsStart() throws {
        // 10 s at 8 Mbit/s carry 9.5 MB; 19 MB needs the trace twice.
        var network = PensieveNetwork(trace: try Fixtures.constant(8, seconds: 10), roundTrip: 0)
        XCTAssertEqual(network.download(bytes: 19_000_000).seconds, 20, accuracy: 1e-6)
    }

    func testARequestGivenUpStopsPartWayAndTheNextStartsThere() throws {
        // 8 Mbit/s for 10 s, then 1: half a second in, 0.5 x 950 kB/s has arrived.
        var network = PensieveNetwork(trace: try Fixtures.steps([(8, 10), (1, 100)]), roundTrip: 0.08)
        let given = network.download(bytes: 10_000_000, giveUpAfter: 0.58)
        XCTAssertEqual(given.seconds, 0.58, accuracy: 1e-9)
        XCTAssertEqual(given.bytes, 475_000, accuracy: 1e-3)
        // The link moved on by those 0.5 s: 9.5 s of 8 Mbit/s are left before the drop.
        XCTAssertEqual(network.download(bytes: 9_025_000).seconds, 9.5 + 0.08, accuracy: 1e-6)
        let finished = network.download(bytes: 1_000)
        XCTAssertEqual(finished.bytes, 1_000)
        // Given up before the round trip is over: nothing arrived, and only the wait was spent.
        let unanswered = network.download(bytes: 1_000, giveUpAfter: 0.05)
        XCTAssertEqual(unanswered.seconds, 0.05)
        XCTAssertEqual(unanswered.bytes, 0)
    }

    func testHTTPRequestGivenUpDeliversWhatTheFullRequestWouldHaveByThen() throws {
        let trace = try Fixtures.constant(20)
        var early = HTTPNetwork(trace: trace, roundTrip: 0.08)
        XCTAssertEqual(early.download(bytes: 1_000_000, giveUpAfter: 0.05).bytes, 0)
        for limit in [0.2, 0.5, 1.5] {
            var partial = HTTPNetwork(trace: trace, roundTrip: 0.08)
            let sent = partial.download(bytes: 5_000_000, giveUpAfter: limit).bytes
            XCTAssertGreaterThan(sent, 0)
            XCTAssertLessThan(sent, 5_000_000)
            // The same number of bytes, asked for outright, takes about as long.
            var whole = HTTPNetwork(trace: trace, roundTrip: 0.08)
            XCTAssertEqual(whole.download(bytes: sent).seconds, limit, accuracy: 0.081, "at \(limit) s")
        }
    }

    func testSlowStartMakesSmallRequestsCostRoundTrips() throws {
        let trace = try Fixtures.constant(100)
        var pensieve = PensieveNetwork(trace: trace)
        var http = HTTPNetwork(trace: trace, roundTrip: 0.08)
        let size = 1_000_000.0
        // 14.6 kB doubling per 80 ms round trip needs 7 rounds to pass 1 MB on a fast link.
        XCTAssertGreaterThan(http.download(bytes: size).seconds, pensieve.download(bytes: size).seconds + 0.3)
        // Once the window has opened, the next request on the connection is not slowed again.
        let warm = http.download(bytes: size).seconds
        XCTAssertLessThan(warm, 0.08 + size / (100_000_000 / 8 * 0.95) + 0.1)
    }
}

final class SimulatorTests: XCTestCase {
    func testStepDownWithAFullBufferDoesNotStallBufferBasedRules() throws {
        let video = try Fixtures.ladder(segments: 60)
        // Fast for long enough to fill the buffer, then a drop to a third of the top bitrate.
        let trace = try Fixtures.steps([(8, 100), (1.5, 400)])
        for rule in [RuleName.bba, .bola] {
            var network = PensieveNetwork(trace: trace)
            let records = SimulatedSession.run(rule: rule.makeRule(), video: video, network: &network)
            let summary = QoESummary(records: records)
            XCTAssertEqual(summary.stallTime, 0, "\(rule) stalled: \(records.filter { $0.stall > 0 }.map(\.segment))")
            XCTAssertTrue(records.contains { $0.level == video.topLevel }, "\(rule) never reached the top")
            let afterDrop = records.filter { $0.time > 150 }
            XCTAssertFalse(afterDrop.isEmpty)
            XCTAssertTrue(afterDrop.contains { $0.bitrateKbps < 1500 }, "\(rule) did not step down: \(afterDrop.map(\.level))")
        }
    }

    func testAbandonmentFetchesLowerInsteadOfStallingWhenTheLinkCollapses() throws {
        let video = try Fixtures.ladder(segments: 40)
        // 8 Mbit/s for 30 s (~25 s of buffer at the top), then 0.5 Mbit/s: the segment under way
        // at the drop, at 4300 kbit/s, would take half a minute.
        let trace = try Fixtures.steps([(8, 30), (0.5, 400)])
        func play(abandoning: Bool) -> [SegmentRecord] {
            var settings = SessionSettings()
            settings.abandonment = abandoning
            var network = PensieveNetwork(trace: trace)
            return SimulatedSession.run(rule: RuleName.robustmpc.makeRule(), video: video, network: &network, settings: settings)
        }
        let finishing = play(abandoning: false)
        let abandoning = play(abandoning: true)
        let atDrop = 14
        XCTAssertEqual(finishing[atDrop].level, video.topLevel)
        XCTAssertGreaterThan(finishing[atDrop].stall, 5)
        XCTAssertEqual(abandoning[atDrop - 1].level, video.topLevel)
        XCTAssertLessThan(abandoning[atDrop].level, video.topLevel)
        XCTAssertGreaterThan(abandoning[atDrop].level, 0, "the highest level that still arrives in time")
        XCTAssertEqual(QoESummary(records: abandoning).stallTime, 0, accuracy: 1e-9)
        // The seconds spent on the given-up request are on the clock.
        let spent = abandoning[atDrop].time - abandoning[atDrop - 1].time
        XCTAssertGreaterThanOrEqual(spent, abandoning[atDrop].download + AbandonmentRule.minimumElapsed)
    }

    func testQoELinScoresSegmentsAfterTheFirst() {
        func record(_ segment: Int, _ level: Int, _ kbps: Double, stall: Double) -> SegmentRecord {
            SegmentRecord(time: 0, segment: segment, representation: "", level: level, bitrateKbps: kbps,
                          bytes: 0, download: 0, throughputKbps: 0, buffer: 0, stall: stall, edge: "")
        }
        let summary = QoESummary(records: [record(1, 1, 750, stall: 2), record(2, 3, 1850, stall: 0),
                                           record(3, 3, 1850, stall: 1)])
        // (1.85 − 1.1) + (1.85 − 4.3)
        XCTAssertEqual(summary.qoeLin, 0.75 + 1.85 - 4.3, accuracy: 1e-9)
        XCTAssertEqual(summary.startup, 2)
        XCTAssertEqual(summary.switches, 1)
        XCTAssertEqual(summary.stalls, 1)
        XCTAssertEqual(summary.stallTime, 1)
    }

    /// The simulator must be the research model: the Pensieve reference's own BBA figure on the
    /// training traces.
    func testBBAReproducesTheReference() throws {
        let result = try trainingRun(.bba)
        XCTAssertEqual(result.perTrace.count, 127)
        XCTAssertEqual(result.meanQoE, 15.68, accuracy: 15.68 * 0.01)
    }

    /// Robust MPC as Pensieve's test/mpc.py computes it, with its state fresh for every session.
    /// An independent line-by-line port of that script (Python, numpy) gives 26.13 on these
    /// traces; the figure the issue quotes (24.5-24.9) could not be reproduced, see the README.
    func testRobustMPCMatchesAPortOfTheReference() throws {
        XCTAssertEqual(try trainingRun(.robustmpc).meanQoE, 26.13, accuracy: 26.13 * 0.01)
    }

    /// The project's goal: ≥ 1.10 × robust MPC's QoE_lin with no more rebuffering.
    func testDefaultRuleBeatsRobustMPC() throws {
        let mpc = try trainingRun(.robustmpc)
        let ours = try trainingRun(.default)
        XCTAssertGreaterThanOrEqual(ours.meanQoE, 1.10 * mpc.meanQoE)
        XCTAssertLessThanOrEqual(ours.totalRebuffer, mpc.totalRebuffer)
    }

    private func trainingRun(_ rule: RuleName) throws -> RuleResult {
        let simulation = Simulation(video: try VideoTable.load(path: Fixtures.referenceVideo),
                                    traces: try TraceLoader.load(path: Fixtures.trainingTraces))
        return simulation.run(rule: rule)
    }
}
