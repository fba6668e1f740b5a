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
