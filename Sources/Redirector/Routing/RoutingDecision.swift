import Addressing
import DNSWire
import Topology

/// How a client was placed: in a coverage zone and sent to that zone's nearest edge (`zone`),
/// in a zone but sent further away because nearer edges were down or overloaded (`geo`, the
/// great-circle fallback), or outside every zone and routed from the default location (`default`).
public enum RoutingMethod: String, Sendable {
    case zone
    case geo
    case `default`
}

/// One routing answer and why: what the decision log prints for every DNS, 302 and steering reply.
public struct RoutingDecision: Sendable {
    public let client: IPAddress
    public let zone: String?
    public let method: RoutingMethod
    /// Usable edges, best first; empty when no edge is healthy.
    public let edges: [EdgeConfig]
    public let reason: String
    /// How many leading bits of the client address the decision depends on (the ECS scope).
    public let scopePrefixLength: Int

    public var chosen: EdgeConfig? { edges.first }

    /// The same decision for another client of the same zone (a cached answer's log line).
    public func forClient(_ other: IPAddress) -> RoutingDecision {
        RoutingDecision(client: other, zone: zone, method: method, edges: edges, reason: reason, scopePrefixLength: scopePrefixLength)
    }

    /// The decision log line: `client=… zone=… method=… edge=… reason="…"`.
    public func logLine(via mode: String) -> String {
        "\(mode) client=\(client) zone=\(zone ?? "-") method=\(method.rawValue) edge=\(chosen?.name ?? "-") reason=\"\(reason)\""
    }
}
