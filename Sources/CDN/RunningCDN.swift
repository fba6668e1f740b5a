import Addressing
import Edge
import Logging
import NIOConcurrencyHelpers
import Redirector
import ServerSupport
import Topology

/// A whole CDN configuration running in this process: the origin, every edge, the redirector,
/// started in that order (each needs the one before) and stopped together. Used by `cdn up`,
/// the demo and the tests alike. Port 0 anywhere in the configuration means "a free one": they
/// are chosen before anything starts, so that every server is told the others' real ports.
public final class RunningCDN: Sendable {
    /// The configuration as running, with the ports actually used.
    public let config: CDNConfig
    public let origin: CDNNode
    public let redirector: Redirector
    private let edges: NIOLockedValueBox<[String: CDNNode]>

    /// Each server says where it listens, and the redirector each health change, through a
    /// logger named after the server (`origin`, the edge's name, `redirector`).
    public init(config: CDNConfig) throws {
        let config = try Self.withPortsChosen(config)
        self.config = config
        var started: [@Sendable () -> Void] = []
        do {
            let origin = try CDNNode.origin(config: config)
            started.append(origin.stop)
            Logger(label: "origin").info("serving \(config.origin.root) on http://\(config.origin.listen)")
            var edges: [String: CDNNode] = [:]
            for edge in config.edges {
                let node = try CDNNode.edge(named: edge.name, config: config)
                started.append(node.stop)
                edges[edge.name] = node
                Logger(label: edge.name).info("listening on http://\(edge.listen), parent \(edge.parent)")
            }
            let logger = Logger(label: "redirector")
            redirector = try Redirector(config: config, logger: logger)
            let dns = ListenAddress(host: config.redirector.dns.host, port: redirector.dnsPort)
            logger.info("DNS on \(dns) (UDP+TCP) for \(config.domain), HTTP 302 and steering on http://\(config.redirector.http)")
            self.origin = origin
            self.edges = NIOLockedValueBox(edges)
        } catch {
            // A port in use half-way: stop what did start, then report.
            started.reversed().forEach { $0() }
            throw error
        }
    }

    public func edge(named name: String) -> CDNNode? { edges.withLockedValue { $0[name] } }

    /// Stops one edge, as a failure would; the redirector's health checks notice.
    public func stopEdge(named name: String) {
        edges.withLockedValue { $0.removeValue(forKey: name) }?.stop()
    }

    public func stop() {
        redirector.stop()
        for node in edges.withLockedValue({ all in defer { all = [:] }; return Array(all.values) }) { node.stop() }
        origin.stop()
    }

    private static func withPortsChosen(_ config: CDNConfig) throws -> CDNConfig {
        var config = config
        func chosen(_ address: ListenAddress) throws -> ListenAddress {
            address.port != 0 ? address : ListenAddress(host: address.host, port: try freeTCPPort(host: address.host))
        }
        config.origin.listen = try chosen(config.origin.listen)
        for index in config.edges.indices { config.edges[index].listen = try chosen(config.edges[index].listen) }
        config.redirector.http = try chosen(config.redirector.http)
        return config
    }
}
