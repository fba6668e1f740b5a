import Foundation
import NIOConcurrencyHelpers

/// The server's rate of sending, sampled once a second over a sliding window, so that /healthz
/// can report load against capacity (the redirector spills clients over on it).
public final class ThroughputMeter: Sendable {
    private let samples = NIOLockedValueBox([(time: Double, bytes: Int64)]())
    private let window: Double

    public init(window: Double = 5) { self.window = window }

    /// Records the cumulative bytes sent at `time` (seconds, monotonic).
    public func sample(totalBytes: Int64, at time: Double) {
        samples.withLockedValue { list in
            list.append((time, totalBytes))
            list.removeAll { time - $0.time > window }
        }
    }

    public var bytesPerSecond: Double {
        samples.withLockedValue { list in
            guard let first = list.first, let last = list.last, last.time > first.time else { return 0 }
            return Double(last.bytes - first.bytes) / (last.time - first.time)
        }
    }
}

/// The JSON /healthz returns.
public struct HealthReport: Encodable, Sendable {
    public let status: String
    public let name: String
    public let role: String
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

    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }
}
