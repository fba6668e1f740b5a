import Addressing
import ContentLayout
import Foundation
import Player
import Topology

/// One of the demo's viewers: a coverage zone, an address inside it, and the way it finds its edge.
public struct DemoClient: Sendable {
    public let zone: String
    public let sourceAddress: String
    public let mode: RoutingMode
    public let url: URL

    /// One client per zone (the first three), each using the next routing mode in turn, so the
    /// demo shows DNS SRV, HTTP 302 and content steering side by side.
    /// `config` as running (real ports); the DNS port is the redirector's, which may differ.
    /// With a `resolver`, the DNS client asks it for the content provider's name instead of
    /// asking the redirector, as a viewer's device does (see `scripts/dns-lab`).
    static func clients(for config: CDNConfig, title: String, dnsPort: Int, resolver: ListenAddress? = nil) -> [DemoClient] {
        config.coverage.prefix(3).enumerated().compactMap { index, zone in
            guard let network = zone.networks.first(where: \.address.isIPv4) else { return nil }
            var octets = network.address.bytes
            octets[3] = 5
            let address = IPAddress(bytes: octets)!.description
            let mode: RoutingMode
            let url: String
            switch index % 3 {
            case 0:
                if let resolver {
                    mode = .resolver(server: resolver.host, port: resolver.port)
                    url = "http://\(DemoSettings.providerHost)/\(ContentLayout.manifest(title))"
                } else {
                    mode = .dns(server: config.redirector.dns.host, port: dnsPort)
                    url = "http://\(config.routingHost)/\(ContentLayout.manifest(title))"
                }
            case 1:
                mode = .redirect
                url = "http://\(config.redirector.http)/\(ContentLayout.manifest(title))"
            default:
                mode = .steering
                url = "http://\(config.origin.listen)/\(ContentLayout.steeringVariant(title))"
            }
            return DemoClient(zone: zone.name, sourceAddress: address, mode: mode, url: URL(string: url)!)
        }
    }

    var modeName: String {
        switch mode {
        case .direct: return "direct"
        case .dns: return "DNS SRV"
        case .resolver: return "resolver"
        case .redirect: return "HTTP 302"
        case .steering: return "steering"
        }
    }
}

/// What one client lived through, for the final table.
public struct DemoResult: Sendable {
    public let client: DemoClient
    public let report: LiveReport
    public let plot: String
    /// Edge names by `host:port`.
    let edgeNames: [String: String]

    /// The edges in the order used, by their configured names.
    public var edges: [String] { report.edges.map { edgeNames[$0] ?? $0 } }
}
