import NIOCore
import Player
import Topology

/// What every connection of one server shares: its router, limits, metrics, log, and how to find
/// a client's emulated link.
public final class ServerContext: Sendable {
    public let name: String
    public let router: Router
    public let limits: ServerLimits
    public let status: NodeStatus
    public let accessLog: AccessLog
    public let links: LinkTable
    let parser = RequestHeadParser()

    public var metrics: ServerMetrics { status.metrics }

    public init(status: NodeStatus, router: Router, limits: ServerLimits, accessLog: AccessLog, links: LinkTable) {
        self.name = status.name
        self.status = status
        self.router = router
        self.limits = limits
        self.accessLog = accessLog
        self.links = links
    }
}

/// The emulated link each client gets: the zone its address falls in, then the server's own
/// link. Traces are loaded once, when the server starts.
public struct LinkTable: Sendable {
    let serverLink: LinkSpec
    let zones: CoverageZones
    let traces: [String: NetworkTrace]

    public static let none = LinkTable(serverLink: LinkSpec(), zones: CoverageZones([]), traces: [:])

    public init(serverLink: LinkSpec, zones: [CoverageZone]) throws {
        let paths = ([serverLink.tracePath] + zones.map(\.link.tracePath)).compactMap { $0 }
        var traces: [String: NetworkTrace] = [:]
        for path in paths where traces[path] == nil {
            do {
                traces[path] = try TraceLoader.loadFile(path: path)
            } catch {
                throw EdgeError("emulated link: \(error)")
            }
        }
        self.init(serverLink: serverLink, zones: CoverageZones(zones), traces: traces)
    }

    init(serverLink: LinkSpec, zones: CoverageZones, traces: [String: NetworkTrace]) {
        self.serverLink = serverLink
        self.zones = zones
        self.traces = traces
    }

    public func link(for address: IPAddress?) -> LinkSpec {
        let zoneLink = address.flatMap { zones.zone(for: $0) }?.link ?? LinkSpec()
        return zoneLink.then(serverLink)
    }

    public func pacer(for link: LinkSpec) -> LinkPacer? {
        LinkPacer(link, trace: link.tracePath.flatMap { traces[$0] })
    }
}

extension IPAddress {
    /// The address of a socket peer; nil for Unix sockets.
    public init?(_ address: SocketAddress?) {
        guard let address else { return nil }
        switch address {
        case .v4(let v4):
            self.init(bytes: withUnsafeBytes(of: v4.address.sin_addr) { Array($0) })
        case .v6(let v6):
            self.init(bytes: withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
        default:
            return nil
        }
    }
}
