import Addressing
import ServerSupport
/// A whole CDN as `CDNConfig/cdn.yaml` describes it: one origin, edges on their own ports, the
/// client coverage zones that route viewers, and the redirector's addresses.
public struct CDNConfig: Sendable {
    /// The zone the redirector is authoritative for, e.g. `cdn.example.test`.
    public var domain: String
    /// The name clients resolve (relative to the domain), e.g. `video`.
    public var routingName: String
    /// DNS answers' time to live in seconds.
    public var ttl: Int
    /// Names in the zone that alias another (`www.netcinema.test` → `video.cdn.example.test`).
    public var aliases: [String: String]
    public var origin: OriginConfig
    public var redirector: RedirectorConfig
    public var edges: [EdgeConfig]
    public var coverage: [CoverageZone]
    /// Where a client outside every zone is taken to be.
    public var defaultLocation: GeoPoint
    public var limits: ServerLimits
    /// The file this came from; relative paths inside it resolve against its folder.
    public var sourcePath: String

    public func edge(named name: String) -> EdgeConfig? { edges.first { $0.name == name } }

    /// Where a parent listens; validation has made sure a parent edge exists.
    public func listenAddress(of parent: EdgeParent) -> ListenAddress {
        switch parent {
        case .origin: return origin.listen
        case .edge(let name): return edge(named: name)!.listen
        }
    }

    /// The full routing name, e.g. `video.cdn.example.test`.
    public var routingHost: String { routingName.isEmpty ? domain : "\(routingName).\(domain)" }
}

public struct OriginConfig: Sendable {
    public var listen: ListenAddress
    /// The folder holding Manifests/ and Media/.
    public var root: String
}

public struct RedirectorConfig: Sendable {
    public var dns: ListenAddress
    public var http: ListenAddress
    /// Seconds between health checks of each edge's /healthz.
    public var healthInterval = 0.5
    /// A check that has not answered after this many seconds counts as failed.
    public var healthTimeout = 1.0
    /// Edges within this distance of the nearest share its clients by content hash (HTTP modes).
    public var affinityKm = 500.0
    /// Response rate limiting per source /24: responses per second (0 = off) and slip.
    public var rateLimitPerSecond = 200.0
    public var rateLimitSlip = 2
    /// Where decision log lines go: `stdout`, `off`, or a file path.
    public var decisionLog = LogDestination.standardOutput
    /// The folder of the zone's DNSSEC keys (`dashcdn redirector keygen`); nil: unsigned.
    public var dnssecKeys: String?
    public var cookies = CookiePolicy.enforce

    public init(dns: ListenAddress, http: ListenAddress) {
        self.dns = dns
        self.http = http
    }
}

/// What the DNS server does with DNS cookies (RFC 7873).
public enum CookiePolicy: String, Sendable, CaseIterable {
    /// Issued and checked; a valid one exempts from rate limiting; a UDP client without one
    /// gets TC instead of an answer more than twice its query's size.
    case enforce
    /// Issued and checked, exempting from rate limiting, but never the reason for TC (as BIND
    /// and Knot answer by default).
    case answer
    /// Not even answered.
    case off
}

public struct EdgeConfig: Sendable {
    public var name: String
    public var listen: ListenAddress
    public var location: GeoPoint
    public var capacityMbps: Double
    /// Where misses are fetched from.
    public var parent: EdgeParent
    public var cacheFolder: String
    public var cacheMaxBytes: Int64
    public var link: LinkSpec
}

/// Where an edge fetches misses from: the origin, or another edge (a tier above it).
public enum EdgeParent: Sendable, Equatable, CustomStringConvertible {
    case origin
    case edge(String)

    /// `origin` or an edge's name; no edge may be named `origin`.
    public init(_ name: String) { self = name == "origin" ? .origin : .edge(name) }

    public var description: String {
        switch self {
        case .origin: return "origin"
        case .edge(let name): return name
        }
    }
}

public struct CoverageZone: Sendable {
    public var name: String
    public var networks: [IPNetwork]
    public var location: GeoPoint
    public var link: LinkSpec

    public init(name: String, networks: [IPNetwork], location: GeoPoint, link: LinkSpec) {
        self.name = name
        self.networks = networks
        self.location = location
        self.link = link
    }
}

/// What one server accepts before it pushes back.
public struct ServerLimits: Sendable {
    public var maxConnections = 4096
    /// Connections one client address may hold open at once, so that one host cannot take
    /// every slot (a player needs a handful; a NAT of viewers, some dozens).
    public var maxConnectionsPerClient = 256
    /// A request head must arrive within this many seconds of its first byte.
    public var headerTimeout = 10.0
    /// A keep-alive connection with no request in flight is closed after this long.
    public var idleTimeout = 60.0
    /// A response the client stops reading is abandoned after this long without progress.
    public var sendTimeout = 60.0
    /// Where access log lines go: `stdout`, `off`, or a file path.
    public var accessLog = LogDestination.standardOutput
    public var accessLogFormat = AccessLogFormat.combined
    /// Bytes of hot files a server may hold in memory (0: every body goes out with sendfile).
    public var memoryCacheBytes: Int64 = 256 << 20

    public init() {}
}
