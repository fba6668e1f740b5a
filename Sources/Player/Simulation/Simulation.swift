import Foundation

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

    public init(rule: RuleName, perTrace: [(trace: String, summary: QoESummary)]) {
        self.rule = rule
        self.perTrace = perTrace
    }

    public var meanQoE: Double { mean(\.qoeLin) }
    public var meanBitrateKbps: Double { mean(\.meanBitrateKbps) }
    public var meanRebuffer: Double { mean(\.stallTime) }
    public var totalRebuffer: Double { perTrace.reduce(0) { $0 + $1.summary.stallTime } }
    public var meanSwitches: Double { mean { Double($0.switches) } }

    private func mean(_ value: (QoESummary) -> Double) -> Double {
        perTrace.isEmpty ? 0 : perTrace.reduce(0) { $0 + value($1.summary) } / Double(perTrace.count)
    }
}

/// Many sessions of one video over many traces, spread over every core. Each session starts at
/// its trace's beginning with a fresh rule, so the results do not depend on the order.
public struct Simulation: Sendable {
    public let video: VideoTable
    public let traces: [NetworkTrace]
    public let model: NetworkModelName
    public let settings: SessionSettings

    public init(video: VideoTable, traces: [NetworkTrace], model: NetworkModelName = .pensieve,
                settings: SessionSettings = SessionSettings()) {
        self.video = video
        self.traces = traces
        self.model = model
        self.settings = settings
    }

    /// One session, with its per-segment records.
    public func session(rule: RuleName, trace: NetworkTrace) -> [SegmentRecord] {
        switch model {
        case .pensieve:
            var network = PensieveNetwork(trace: trace)
            return SimulatedSession.run(rule: rule.makeRule(), video: video, network: &network, settings: settings)
        case .http:
            var network = HTTPNetwork(trace: trace)
            return SimulatedSession.run(rule: rule.makeRule(), video: video, network: &network, settings: settings)
        }
    }

    public func run(rule: RuleName) -> RuleResult {
        let slots = Slots(count: traces.count)
        DispatchQueue.concurrentPerform(iterations: traces.count) { index in
            slots.store(QoESummary(records: session(rule: rule, trace: traces[index])), at: index)
        }
        return RuleResult(rule: rule, perTrace: zip(traces, slots.values).map { ($0.name, $1) })
    }
}

/// Results written from many threads, each to its own index.
private final class Slots: @unchecked Sendable {
    private var storage: [QoESummary?]
    private let lock = NSLock()

    init(count: Int) { storage = Array(repeating: nil, count: count) }

    func store(_ value: QoESummary, at index: Int) {
        lock.lock()
        storage[index] = value
        lock.unlock()
    }

    var values: [QoESummary] { storage.map { $0! } }
}
