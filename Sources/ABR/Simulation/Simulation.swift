import Foundation
import Traces

/// The network models `dashcdn simulate` offers.
public enum NetworkModelName: String, CaseIterable, Sendable {
    /// The research reference: 80 ms per request plus bytes over bandwidth × 0.95.
    case pensieve
    /// Per-request round trip (the trace's own when it has one) and TCP slow start.
    case http
}

/// One rule's results over a set of traces.
public struct RuleResult: Sendable {
    public let rule: RuleName
    public let perTrace: [(trace: String, summary: QoESummary)]
    /// Wall-clock seconds the sessions took (0 when not timed).
    public let seconds: Double

    public init(rule: RuleName, perTrace: [(trace: String, summary: QoESummary)], seconds: Double = 0) {
        self.rule = rule
        self.perTrace = perTrace
        self.seconds = seconds
    }

    public var sessionsPerSecond: Double? { seconds > 0 ? Double(perTrace.count) / seconds : nil }

    public var meanQoE: Double { mean(\.qoeLin) }
    public var meanBitrateKbps: Double { mean(\.meanBitrateKbps) }
    public var meanRebuffer: Double { mean(\.stallTime) }
    public var totalRebuffer: Double { perTrace.reduce(0) { $0 + $1.summary.stallTime } }
    public var meanSwitches: Double { mean { Double($0.switches) } }

    private func mean(_ value: (QoESummary) -> Double) -> Double {
        perTrace.isEmpty ? 0 : perTrace.reduce(0) { $0 + value($1.summary) } / Double(perTrace.count)
    }
}

/// The best QoE_lin per trace with the trace known in advance, found in `resolution`-second buckets.
public struct OptimumResult: Sendable {
    public let resolution: Double
    public let perTrace: [(trace: String, qoe: Double)]

    public var meanQoE: Double { perTrace.isEmpty ? 0 : perTrace.reduce(0) { $0 + $1.qoe } / Double(perTrace.count) }
}

/// Many sessions of one video over many traces, spread over every core. Each session starts at
/// its trace's beginning with a fresh rule, so the results do not depend on the order.
public struct Simulation: Sendable {
    public let video: VideoTable
    public let traces: [NetworkTrace]
    public let model: NetworkModelName
    public let settings: SessionSettings
    public let defaultRule: ScenarioMPCRule.Parameters

    public init(video: VideoTable, traces: [NetworkTrace], model: NetworkModelName = .pensieve,
                settings: SessionSettings = SessionSettings(), defaultRule: ScenarioMPCRule.Parameters = .init()) {
        self.video = video
        self.traces = traces
        self.model = model
        self.settings = settings
        self.defaultRule = defaultRule
    }

    /// One session, with its per-segment records.
    public func session(rule: RuleName, trace: NetworkTrace) -> [SegmentRecord] {
        switch model {
        case .pensieve:
            var network = PensieveNetwork(trace: trace)
            return SimulatedSession.run(rule: rule.makeRule(defaultRule: defaultRule), video: video, network: &network, settings: settings)
        case .http:
            var network = HTTPNetwork(trace: trace)
            return SimulatedSession.run(rule: rule.makeRule(defaultRule: defaultRule), video: video, network: &network, settings: settings)
        }
    }

    /// Every trace's session, on `threads` threads (nil: one per core), timed.
    public func run(rule: RuleName, threads: Int? = nil) -> RuleResult {
        let start = DispatchTime.now()
        let summaries = perTrace(threads: threads) { QoESummary(records: session(rule: rule, trace: $0)) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        return RuleResult(rule: rule, perTrace: zip(traces, summaries).map { ($0.name, $1) }, seconds: seconds)
    }

    /// The offline optimum on every trace (see `OfflineOptimum`).
    public func optimum(resolution: Double, threads: Int? = nil) -> OptimumResult {
        let values = perTrace(threads: threads) { trace in
            switch model {
            case .pensieve:
                OfflineOptimum.qoe(video: video, network: PensieveNetwork(trace: trace), settings: settings, resolution: resolution)
            case .http:
                OfflineOptimum.qoe(video: video, network: HTTPNetwork(trace: trace), settings: settings, resolution: resolution)
            }
        }
        return OptimumResult(resolution: resolution, perTrace: zip(traces, values).map { ($0.name, $1) })
    }

    /// `work` on every trace, on `threads` threads (nil: one per core), in the traces' order.
    private func perTrace<Value>(threads: Int?, _ work: @escaping @Sendable (NetworkTrace) -> Value) -> [Value] {
        let slots = Slots<Value>(count: traces.count)
        let workers = max(1, min(threads ?? ProcessInfo.processInfo.activeProcessorCount, traces.count))
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            for index in stride(from: worker, to: traces.count, by: workers) {
                slots.store(work(traces[index]), at: index)
            }
        }
        return slots.values
    }
}

/// Results written from many threads, each to its own index.
private final class Slots<Value>: @unchecked Sendable {
    private var storage: [Value?]
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func store(_ value: Value, at index: Int) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    var values: [Value] { storage.map { $0! } }
}
