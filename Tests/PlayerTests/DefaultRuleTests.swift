@testable import ABR
@testable import Player
@testable import Traces
import XCTest

/// The default rule's ways of reading the link, each checked against the same rule with that part
/// turned off, in whole simulated sessions.
final class DefaultRuleTests: XCTestCase {
    /// The FCC shape: 1 Mbit/s for a minute, then 20. The forecast restarts from the two fast
    /// downloads instead of averaging them with five slow ones.
    func testALevelShiftIsBelievedWithinTwoSegments() throws {
        let video = try Fixtures.ladder(segments: 48)
        let trace = try Fixtures.steps([(1, 60), (20, 400)])
        let restarting = try segmentsToTheTop(after: 60, video: video, trace: trace, ScenarioMPCRule.Parameters())
        var averaging = ScenarioMPCRule.Parameters()
        averaging.shiftFactor = 0
        let slow = try segmentsToTheTop(after: 60, video: video, trace: trace, averaging)
        XCTAssertLessThanOrEqual(restarting, 3)
        XCTAssertGreaterThan(slow, restarting)
    }

    /// A download that ran the buffer dry far below the forecast is believed at once. Averaged
    /// with the fast past instead, the forecast stays high, every later download looks like
    /// another shortfall against it, and the rule sits at the lowest level long after the
    /// link has settled.
    func testAStallRestartsTheForecastFromTheDownloadThatCausedIt() throws {
        let video = try Fixtures.ladder(segments: 30)
        // 8 Mbit/s, then 1.2: the top segment under way at the drop stalls; 750 kbit/s fits after.
        let trace = try Fixtures.steps([(8, 14), (1.2, 400)])
        var averaging = ScenarioMPCRule.Parameters()
        averaging.stallShiftFactor = 0
        func segmentsToSettle(_ parameters: ScenarioMPCRule.Parameters) throws -> Int {
            let records = session(video: video, trace: trace, parameters)
            let stall = try XCTUnwrap(records.dropFirst().firstIndex { $0.stall > 0 })
            XCTAssertEqual(records[(stall + 1)...].reduce(0) { $0 + $1.stall }, 0, accuracy: 1e-9)
            let settled = try XCTUnwrap(records[(stall + 1)...].firstIndex { $0.bitrateKbps >= 750 })
            return settled - stall
        }
        // Measured: 5 segments with the restart, 11 without.
        let restarting = try segmentsToSettle(ScenarioMPCRule.Parameters())
        XCTAssertLessThanOrEqual(restarting, 6)
        XCTAssertGreaterThan(try segmentsToSettle(averaging), restarting + 3)
    }

    /// On a steady line the rule keeps a small reserve: saving 20 s there protects against nothing
    /// and costs the bitrate of the segments fetched early. On a line that varies it saves.
    func testTheReserveFollowsHowMuchTheLinkVaries() throws {
        let video = try Fixtures.ladder(segments: 48)
        let steady = try Fixtures.constant(1.5)
        let varying = try Fixtures.steps(Array(repeating: [(3.0, 3), (0.9, 3)], count: 60).flatMap { $0 })
        var alwaysVarying = ScenarioMPCRule.Parameters()
        (alwaysVarying.steadySpread, alwaysVarying.variableSpread) = (0, 0)

        // Measured: about 9.5 s on the steady line, 21 s there when every link counts as varying,
        // 23 s on the varying line.
        XCTAssertLessThan(meanBuffer(video: video, trace: steady, ScenarioMPCRule.Parameters()), 12)
        XCTAssertGreaterThan(meanBuffer(video: video, trace: steady, alwaysVarying), 18)
        XCTAssertGreaterThan(meanBuffer(video: video, trace: varying, ScenarioMPCRule.Parameters()), 18)
    }

    /// The settings parse by name, and an unknown one is an error naming the known ones.
    func testSettingsParseByName() throws {
        let parsed = try ScenarioMPCRule.Parameters(parsing: "shiftFactor=3,minReserve=6,priorLow=0.7")
        XCTAssertEqual(parsed.shiftFactor, 3)
        XCTAssertEqual(parsed.minReserve, 6)
        XCTAssertEqual(parsed.priorRatios, [1.0, 0.7])
        XCTAssertThrowsError(try ScenarioMPCRule.Parameters(parsing: "reserve=3")) { error in
            XCTAssertTrue("\(error)".contains("unknown setting 'reserve'"), "\(error)")
            XCTAssertTrue("\(error)".contains("steadySpread"), "\(error)")
        }
    }

    private func session(video: VideoTable, trace: NetworkTrace, _ parameters: ScenarioMPCRule.Parameters) -> [SegmentRecord] {
        var network = PensieveNetwork(trace: trace)
        return SimulatedSession.run(rule: ScenarioMPCRule(parameters: parameters), video: video, network: &network)
    }

    /// Segments fetched after the first one finished past `time` until the first at the top level.
    private func segmentsToTheTop(after time: Double, video: VideoTable, trace: NetworkTrace,
                                  _ parameters: ScenarioMPCRule.Parameters) throws -> Int {
        let records = session(video: video, trace: trace, parameters)
        let start = try XCTUnwrap(records.firstIndex { $0.time > time })
        let top = try XCTUnwrap(records[start...].firstIndex { $0.level == video.topLevel },
                                "never reached the top: \(records.map(\.level))")
        return top - start
    }

    /// The mean buffer from the tenth segment to the last five (start-up and the end left out).
    private func meanBuffer(video: VideoTable, trace: NetworkTrace, _ parameters: ScenarioMPCRule.Parameters) -> Double {
        let middle = session(video: video, trace: trace, parameters).dropFirst(10).dropLast(5)
        return middle.reduce(0) { $0 + $1.buffer } / Double(middle.count)
    }
}
