import Addressing
import NIOCore
import ServerSupport
import Topology
import Traces

/// What every connection of one server shares: its router, limits, metrics, log, and how to find
/// a client's emulated link.
public final class ServerContext: Sendable {
    public let name: String
    public let router: Router
    public let limits: ServerLimits
    public let status: NodeStatus
    public let accessLog: AccessLog
    public let links: LinkTable
    /// Told of every answered request: the metrics, the access log, then any added.
    public let observers: [RequestObserver]
    let parser = RequestHeadParser()

    public var metrics: ServerMetrics { status.metrics }

    public init(status: NodeStatus, router: Router, limits: ServerLimits, accessLog: AccessLog, links: LinkTable,
                observers: [RequestObserver] = []) {
        self.name = status.name
        self.status = status
        self.router = router
        self.limits = limits
        self.accessLog = accessLog
        self.links = links
        self.observers = [status.metrics, accessLog] + observers
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
                throw ServerError("emulated link: \(error)")
            }
        }
        self.init(serverLink: serverLink, zones: CoverageZones(zones), traces: traces)
    }

    init(serverLink: LinkSpec, zones: CoverageZones, traces: [String: NetworkTrace]) {
        self.serverLink = serverLink
        self.zones = zones
        self.traces = traces
    }

    /// The coverage zone a client is in, for per-zone metrics.
    public func zoneName(for address: IPAddress?) -> String? {
        address.flatMap { zones.zone(for: $0) }?.name
    }

    public func link(for address: IPAddress?) -> LinkSpec {
        let zoneLink = address.flatMap { zones.zone(for: $0) }?.link ?? LinkSpec()
        return zoneLink.then(serverLink)
    }

    public func pacer(for link: LinkSpec) -> LinkPacer? {
        LinkPacer(link, trace: link.tracePath.flatMap { traces[$0] })
    }
}
