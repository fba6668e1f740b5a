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
    private let states: NIOLockedValueBox<[EdgeHealth]>

    /// Edges start up: a fresh redirector answers at once and the first checks (sent
    /// immediately) take out whatever is not there.
    public init(edgeCount: Int) {
        states = NIOLockedValueBox(Array(repeating: EdgeHealth(up: true, detail: "not checked yet"), count: edgeCount))
    }

    public var snapshot: [EdgeHealth] { states.withLockedValue { $0 } }

    /// Stores a check's result and returns the previous state.
    @discardableResult
    public func update(_ index: Int, to health: EdgeHealth) -> EdgeHealth {
        states.withLockedValue { list in
            defer { list[index] = health }
            return list[index]
        }
    }
}
