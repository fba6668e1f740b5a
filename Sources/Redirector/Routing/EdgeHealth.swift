import DNSWire
import NIOConcurrencyHelpers

/// What the health checks last learned about one edge.
public struct EdgeHealth: Sendable, Equatable {
    public var up: Bool
    /// Sending rate over capacity from the edge's /healthz; above 1 it is overloaded.
    public var load: Double?
    /// Why it is down, for logs and /healthz.
    public var detail: String

    public init(up: Bool, load: Double? = nil, detail: String = "") {
        self.up = up
        self.load = load
        self.detail = detail
    }

    public var overloaded: Bool { (load ?? 0) > 1 }
}

/// The current health of every edge, indexed like the configuration's edges. Readers take a
/// snapshot per decision; the monitor replaces entries as checks complete.
public final class HealthBoard: Sendable {
    private struct State {
        var edges: [EdgeHealth]
        /// Bumped whenever an edge goes up or down or in or out of overload: answers rendered
        /// under an older generation are stale.
        var generation = 0
    }

    private let state: NIOLockedValueBox<State>

    /// Edges start up: a fresh redirector answers at once and the first checks (sent
    /// immediately) take out whatever is not there.
    public init(edgeCount: Int) {
        state = NIOLockedValueBox(State(edges: Array(repeating: EdgeHealth(up: true, detail: "not checked yet"), count: edgeCount)))
    }

    public var snapshot: [EdgeHealth] { state.withLockedValue { $0.edges } }

    public var generation: Int { state.withLockedValue { $0.generation } }

    /// Stores a check's result and returns the previous state.
    @discardableResult
    public func update(_ index: Int, to health: EdgeHealth) -> EdgeHealth {
        state.withLockedValue { state in
            let previous = state.edges[index]
            state.edges[index] = health
            if previous.up != health.up || previous.overloaded != health.overloaded { state.generation += 1 }
            return previous
        }
    }
}
