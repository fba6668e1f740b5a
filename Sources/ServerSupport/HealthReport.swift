import Foundation

/// The JSON /healthz returns.
public struct HealthReport: Codable, Sendable {
    public let status: String
    public let name: String
    public let role: NodeRole
    public let uptime_s: Double
    public let active_connections: Int
    public let bytes_per_second: Double
    public let capacity_mbps: Double?
    /// Sending rate over capacity; above 1 the edge is overloaded.
    public let load: Double?
    public let cache_bytes: Int64?
    public let cache_objects: Int?
    /// `degraded` for a while after the cache failed to store an object (full disk, folder
    /// gone): clients are still served in full, from the parent.
    public let cache: String?
    public let cache_write_failures: Int?

    public init(status: String, name: String, role: NodeRole, uptime_s: Double, active_connections: Int,
                bytes_per_second: Double, capacity_mbps: Double?, load: Double?, cache_bytes: Int64?,
                cache_objects: Int?, cache: String?, cache_write_failures: Int?) {
        self.status = status
        self.name = name
        self.role = role
        self.uptime_s = uptime_s
        self.active_connections = active_connections
        self.bytes_per_second = bytes_per_second
        self.capacity_mbps = capacity_mbps
        self.load = load
        self.cache_bytes = cache_bytes
        self.cache_objects = cache_objects
        self.cache = cache
        self.cache_write_failures = cache_write_failures
    }

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}
