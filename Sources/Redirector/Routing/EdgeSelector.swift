import Addressing
import DNSWire
import Topology

/// The routing rule, as a pure function of the client address, the edges' health and (in the
/// HTTP modes) the content path: longest-prefix coverage zone → edges by great-circle distance →
/// drop unhealthy → move overloaded ones behind the rest → among the nearest few (within
/// `affinityKm` of the nearest), a rendezvous hash of the path so each object keeps to one cache.
public struct EdgeSelector: Sendable {
    struct Candidate: Sendable {
        let index: Int
        let distanceKm: Double
    }

    public let edges: [EdgeConfig]
    public let zones: CoverageZones
    public let affinityKm: Double
    private let orderByZone: [String: [Candidate]]
    private let defaultOrder: [Candidate]

    public init(config: CDNConfig, affinityKm: Double) {
        edges = config.edges
        zones = CoverageZones(config.coverage)
        self.affinityKm = affinityKm
        func order(from point: GeoPoint) -> [Candidate] {
            config.edges.enumerated()
                .map { Candidate(index: $0.offset, distanceKm: point.distance(to: $0.element.location)) }
                .sorted { ($0.distanceKm, $0.index) < ($1.distanceKm, $1.index) }
        }
        orderByZone = Dictionary(config.coverage.map { ($0.name, order(from: $0.location)) }, uniquingKeysWith: { a, _ in a })
        defaultOrder = order(from: config.defaultLocation)
    }

    /// Which routing class an address falls in (its zone's name; nil outside every zone): every
    /// address of one class gets the same decision for the same health.
    public func routingClass(of address: IPAddress) -> String? { zones.match(for: address)?.zone.name }

    /// `prefixLength` is how much of `client` is known (32 or 128 for a socket address, the
    /// source prefix for an ECS subnet).
    public func decide(client: IPAddress, prefixLength: Int, health: [EdgeHealth], contentKey: String? = nil) -> RoutingDecision {
        let match = zones.match(for: client)
        let order = match.flatMap { orderByZone[$0.zone.name] } ?? defaultOrder
        // Outside every zone the answer holds for the whole subnet asked about.
        let scope = match.map { min($0.network.prefixLength, prefixLength) } ?? prefixLength
        var notes: [String] = order.prefix { !health[$0.index].up }.map { "\(edges[$0.index].name) down" }
        var usable = order.filter { health[$0.index].up }
        if let first = usable.first, health[first.index].overloaded, usable.contains(where: { !health[$0.index].overloaded }) {
            let overloaded = usable.filter { health[$0.index].overloaded }
            notes += overloaded.map { "\(edges[$0.index].name) overloaded (load \(formatted(health[$0.index].load ?? 0)))" }
            usable = usable.filter { !health[$0.index].overloaded } + overloaded
        }
        if let contentKey, let first = usable.first {
            let nearby = usable.prefix { $0.distanceKm <= first.distanceKm + affinityKm && !health[$0.index].overloaded }
            if nearby.count > 1, let pick = nearby.max(by: { score(contentKey, $0.index) < score(contentKey, $1.index) }) {
                notes.append("path hash among \(nearby.count) within \(Int(affinityKm)) km")
                usable = [pick] + usable.filter { $0.index != pick.index }
            }
        }
        let method: RoutingMethod = match == nil ? .default : (usable.first?.index == order.first?.index ? .zone : .geo)
        let reason: String
        if let first = usable.first {
            notes.append((notes.isEmpty ? "nearest, " : "") + "\(Int(first.distanceKm.rounded())) km")
            reason = notes.joined(separator: "; ")
        } else {
            reason = "no healthy edge"
        }
        return RoutingDecision(client: client, zone: match?.zone.name, method: method, edges: usable.map { edges[$0.index] },
                               reason: reason, scopePrefixLength: scope)
    }

    /// Rendezvous (highest random weight) hashing: each path ranks the edges by a hash of
    /// (path, edge); when an edge leaves, only its own paths move.
    private func score(_ key: String, _ index: Int) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325  // FNV-1a, stable across runs unlike Hasher
        for byte in key.utf8 + [0] + edges[index].name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        // FNV's low bits mix poorly: finish with a 64-bit avalanche step.
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        return hash ^ (hash >> 33)
    }

    private func formatted(_ value: Double) -> String { String(Int((value * 100).rounded())) + "%" }
}
