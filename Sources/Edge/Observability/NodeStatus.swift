import Foundation
import NIOCore
import ServerSupport

/// What /healthz and /metrics report for one server, gathered in one place.
public final class NodeStatus: Sendable {
    public let name: String
    public let role: NodeRole
    public let capacityMbps: Double?
    public let metrics = ServerMetrics()
    public let meter = ThroughputMeter()
    public let startedAt = NIODeadline.now()
    /// The edge's cache, when it has one.
    let cache: CacheStore?

    public init(name: String, role: NodeRole, capacityMbps: Double?, cache: CacheStore? = nil) {
        self.name = name
        self.role = role
        self.capacityMbps = capacityMbps
        self.cache = cache
    }

    public var uptime: Double { (NIODeadline.now() - startedAt).inSeconds }

    public func health() -> HealthReport {
        let rate = meter.bytesPerSecond
        let cache = self.cache?.report
        return HealthReport(status: "ok", name: name, role: role, uptime_s: (uptime * 10).rounded() / 10,
                            active_connections: metrics.activeConnections, bytes_per_second: rate.rounded(),
                            capacity_mbps: capacityMbps, load: capacityMbps.map { rate * 8 / ($0 * 1_000_000) },
                            cache_bytes: cache?.bytes, cache_objects: cache?.objects,
                            cache: cache.map { $0.degraded ? "degraded" : "ok" }, cache_write_failures: cache?.writeFailures)
    }

    /// The router's endpoint renderer.
    public func render(_ path: String) -> (text: String, contentType: String) {
        if path == "/metrics" { return (metrics.prometheusText(), "text/plain; version=0.0.4; charset=utf-8") }
        return (health().json(), "application/json")
    }

    func sample() {
        meter.sample(totalBytes: metrics.totalBytes, at: uptime)
        cache?.checkFolder()
    }
}
