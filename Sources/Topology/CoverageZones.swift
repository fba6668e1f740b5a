import Addressing
/// Longest-prefix lookup of a client address among the configured coverage zones.
public struct CoverageZones: Sendable {
    public let zones: [CoverageZone]
    private let entries: [(network: IPNetwork, zone: Int)]

    public init(_ zones: [CoverageZone]) {
        self.zones = zones
        // Longest prefix first, so the first containing network is the most specific one.
        entries = zones.enumerated()
            .flatMap { index, zone in zone.networks.map { (network: $0, zone: index) } }
            .sorted { $0.network.prefixLength > $1.network.prefixLength }
    }

    public func zone(for address: IPAddress) -> CoverageZone? { match(for: address)?.zone }

    /// The zone and the most specific of its networks that holds `address`.
    public func match(for address: IPAddress) -> (zone: CoverageZone, network: IPNetwork)? {
        entries.first { $0.network.contains(address) }.map { (zones[$0.zone], $0.network) }
    }
}
