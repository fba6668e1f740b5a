import Addressing
import AsyncHTTPClient
import ContentLayout
import MPD
import NIOCore
import NIOPosix
import ServerSupport
import Topology

/// A running server of the CDN tier: the origin, or an edge with its cache and parent client.
public final class CDNNode: Sendable {
    public let server: HTTPServer
    public let status: NodeStatus
    public let cache: CacheStore?
    private let client: HTTPClient?
    /// Removes what the node made for itself only (rendered steering variants).
    private let cleanup: @Sendable () -> Void

    init(server: HTTPServer, status: NodeStatus, cache: CacheStore?, client: HTTPClient?,
         cleanup: @escaping @Sendable () -> Void = {}) {
        self.server = server
        self.status = status
        self.cache = cache
        self.client = client
        self.cleanup = cleanup
    }

    public var name: String { status.name }
    public var port: Int { server.port }

    public func stop() {
        server.stop()
        try? client?.syncShutdown()
        cleanup()
    }

    /// Seconds on a monotonic clock, for cache freshness.
    static let clock = monotonicSeconds

    /// The origin: serves `root` (Manifests/ and Media/) with no emulated links.
    public static func origin(root: String, listen: ListenAddress, limits: ServerLimits,
                              group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws -> CDNNode {
        try origin(source: try FolderSource(root: root, memoryBudget: limits.memoryCacheBytes), listen: listen, limits: limits,
                   group: group)
    }

    /// The origin as a configuration describes it, also serving each manifest's content steering
    /// variant (`/manifests/<title>.steering.mpd`) with one BaseURL per edge.
    public static func origin(config: CDNConfig, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws -> CDNNode {
        let pathways = config.edges.map {
            ContentSteeringVariant.Pathway(serviceLocation: $0.name, baseURL: "http://\($0.listen)/\(ContentLayout.manifestsFolder)/")
        }
        let folder = try FolderSource(root: config.origin.root, memoryBudget: config.limits.memoryCacheBytes)
        let source = try SteeredFolderSource(folder: folder, pathways: pathways,
                                             steeringBase: "http://\(config.redirector.http)/steering")
        do {
            return try origin(source: source, listen: config.origin.listen, limits: config.limits, group: group,
                              cleanup: source.removeRenderedVariants)
        } catch {
            source.removeRenderedVariants()
            throw error
        }
    }

    private static func origin(source: ContentSource, listen: ListenAddress, limits: ServerLimits,
                               group: EventLoopGroup, cleanup: @escaping @Sendable () -> Void = {}) throws -> CDNNode {
        let status = NodeStatus(name: "origin", role: .origin, capacityMbps: nil)
        let router = Router(source: source, endpoint: status.render)
        let context = ServerContext(status: status, router: router, limits: limits,
                                    accessLog: try AccessLog(destination: limits.accessLog, format: limits.accessLogFormat, serverName: "origin"),
                                    links: .none)
        return CDNNode(server: try HTTPServer(context: context, listen: listen, group: group), status: status,
                       cache: nil, client: nil, cleanup: cleanup)
    }

    /// One edge of a configuration: its cache folder, its parent, and the emulated links of its
    /// own uplink and of each client zone.
    public static func edge(named name: String, config: CDNConfig, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws -> CDNNode {
        guard let edge = config.edge(named: name) else {
            throw ServerError("\(config.sourcePath): no edge named '\(name)' (edges: \(config.edges.map(\.name).joined(separator: ", ")))")
        }
        let parentAddress = config.listenAddress(of: edge.parent)
        let cache = try CacheStore(folder: edge.cacheFolder, maxBytes: edge.cacheMaxBytes,
                                   memoryBudget: config.limits.memoryCacheBytes, clock: clock)
        let status = NodeStatus(name: edge.name, role: .edge, capacityMbps: edge.capacityMbps,
                                cache: cache)
        var clientConfiguration = HTTPClient.Configuration()
        clientConfiguration.connectionPool = .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
        clientConfiguration.timeout = .init(connect: .seconds(2), read: .seconds(20))
        let client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: clientConfiguration)
        do {
            let fetcher = UpstreamFetcher(parent: "http://\(parentAddress)", client: client, cache: cache, status: status,
                                          clock: clock)
            let router = Router(source: CachedSource(cache: cache, fetcher: fetcher, clock: clock), endpoint: status.render)
            let context = ServerContext(status: status, router: router, limits: config.limits,
                                        accessLog: try AccessLog(destination: config.limits.accessLog, format: config.limits.accessLogFormat,
                                                                 serverName: edge.name),
                                        links: try LinkTable(serverLink: edge.link, zones: config.coverage),
                                        observers: [NextObjectPrefetch(cache: cache, fetcher: fetcher, clock: clock)])
            let server = try HTTPServer(context: context, listen: edge.listen, group: group)
            return CDNNode(server: server, status: status, cache: cache, client: client)
        } catch {
            try? client.syncShutdown()
            throw error
        }
    }
}
