import Addressing
import DNSSEC
import DNSWire
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServerSupport
import Topology

/// A running redirector: authoritative DNS over UDP and TCP, the HTTP 302 and content steering
/// server, and the health checks both route with.
public final class Redirector: Sendable {
    public let dnsPort: Int
    public let httpPort: Int
    public let monitor: HealthMonitor
    public let service: DNSService
    private let dns: DNSServer
    private let http: Channel
    private let httpConnections = ConnectionRegistry()
    private let log: LineLog

    /// Listens where the configuration says unless `dnsListen`/`httpListen` override it (port 0
    /// picks a free port). Health transitions go to `logger`.
    public init(config: CDNConfig, dnsListen: ListenAddress? = nil, httpListen: ListenAddress? = nil,
                group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                logger: Logger = Logger(label: "redirector")) throws {
        let settings = config.redirector
        let limits = config.limits
        let headerTimeout = TimeAmount.fromSeconds(limits.headerTimeout)
        // A flood of connections must meet the connection limits, not the descriptor table.
        raiseOpenFileLimit()
        log = try LineLog(destination: settings.decisionLog, purpose: "decision log")
        let keys = try settings.dnssecKeys.map { folder in
            do { return try ZoneKeys.load(from: URL(fileURLWithPath: folder)) } catch { throw ServerError("redirector.dnssec_keys: \(error)") }
        }
        let zone = try AuthoritativeZone(config: config, serial: UInt32(Date().timeIntervalSince1970), keys: keys)
        let selector = EdgeSelector(config: config, affinityKm: settings.affinityKm)
        monitor = HealthMonitor(edges: config.edges, interval: settings.healthInterval, timeout: settings.healthTimeout,
                                group: group, logger: logger)
        let board = monitor.board
        service = DNSService(zone: zone, selector: selector, board: board,
                             rateLimit: .init(responsesPerSecond: settings.rateLimitPerSecond, slip: settings.rateLimitSlip),
                             cookies: settings.cookies, log: log)
        do {
            dns = try DNSServer(service: service, listen: dnsListen ?? settings.dns, group: group, queryTimeout: headerTimeout)
        } catch {
            monitor.stop()
            throw error
        }
        let rules = RedirectRules(ttl: config.ttl, edgeNames: config.edges.map(\.name))
        let httpAddress = httpListen ?? settings.http
        let connections = httpConnections
        let log = self.log
        let bootstrap = boundedServerBootstrap(group: group, connections: connections, total: limits.maxConnections,
                                               perClient: limits.maxConnectionsPerClient) { pipeline in
            try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
            try pipeline.addHandlers([
                RequestHeadTimeout(timeout: headerTimeout),
                RedirectHTTPHandler(rules: rules, selector: selector, board: board, log: log),
            ])
        }
        do {
            http = try bootstrap.bind(host: httpAddress.host, port: httpAddress.port).wait()
        } catch {
            dns.stop()
            monitor.stop()
            throw ServerError("HTTP \(httpAddress): cannot listen (\(socketErrorText(error)))")
        }
        dnsPort = dns.port
        httpPort = http.localAddress?.port ?? httpAddress.port
        monitor.start()
    }

    public func stop() {
        monitor.stop()
        dns.stop()
        try? http.close().wait()
        httpConnections.closeAll()
        log.flush()
    }
}
