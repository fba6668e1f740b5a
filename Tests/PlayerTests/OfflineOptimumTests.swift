@testable import ABR
@testable import Traces
import XCTest

final class OfflineOptimumTests: XCTestCase {
    /// Plays a fixed sequence of levels from the second segment on.
    private final class ScriptedRule: ABRRule {
        let levels: [Int]
        init(_ levels: [Int]) { self.levels = levels }
        func decide(_ context: ABRContext) -> ABRDecision { ABRDecision(level: levels[context.segment - 1]) }
    }

    private let video = try! VideoTable(segmentDuration: 4, bitratesKbps: [300, 1200, 4300], segmentCount: 6)
    /// Fast, a fade, fast again: the best plan has to see the fade coming.
    private let trace = try! Fixtures.steps([(6, 8), (0.4, 10), (5, 60)])

    /// Every plan, played through the simulator: the true optimum.
    private func bestByEnumeration() -> Double {
        var best = -Double.infinity
        let count = video.segmentCount - 1
        for code in 0..<Int(pow(3.0, Double(count))) {
            var levels: [Int] = []
            var rest = code
            for _ in 0..<count { levels.append(rest % 3); rest /= 3 }
            var network = PensieveNetwork(trace: trace)
            let records = SimulatedSession.run(rule: ScriptedRule(levels), video: video, network: &network)
            best = max(best, QoESummary(records: records).qoeLin)
        }
        return best
    }

    func testWithoutMergingItFindsWhatTryingEveryPlanFinds() {
        let exact = OfflineOptimum.qoe(video: video, network: PensieveNetwork(trace: trace), resolution: 1e-9)
        XCTAssertEqual(exact, bestByEnumeration(), accuracy: 1e-9)
    }

    func testMergedBucketsGiveAPlanThatIsPlayableSoNeverMoreThanTheOptimum() {
        let truth = bestByEnumeration()
        for resolution in [0.5, 2, 8] {
            let merged = OfflineOptimum.qoe(video: video, network: PensieveNetwork(trace: trace), resolution: resolution)
            XCTAssertLessThanOrEqual(merged, truth + 1e-9, "at \(resolution) s")
        }
    }

    func testNoRuleBeatsTheOptimum() {
        let truth = OfflineOptimum.qoe(video: video, network: PensieveNetwork(trace: trace), resolution: 1e-9)
        for rule in RuleName.allCases {
            var network = PensieveNetwork(trace: trace)
            let records = SimulatedSession.run(rule: rule.makeRule(), video: video, network: &network)
            XCTAssertLessThanOrEqual(QoESummary(records: records).qoeLin, truth + 1e-9, "\(rule)")
        }
    }
}
