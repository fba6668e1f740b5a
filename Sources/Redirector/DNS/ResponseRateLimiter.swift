import Addressing
import DNSWire
import Topology

/// Response rate limiting against reflection attacks, in the manner of BIND's RRL: a token
/// bucket per source network (/24 for IPv4, /56 for IPv6). Over the limit, responses are dropped,
/// except that every `slip`-th one goes out truncated (TC, no records), so a real client behind
/// a busy network retries over TCP while a spoofed victim receives nothing larger than it sent.
public struct ResponseRateLimiter: Sendable {
    public enum Verdict: Sendable, Equatable {
        case send
        case truncate
        case drop
    }

    public struct Settings: Sendable, Equatable {
        /// Responses per second per network; 0 turns the limiter off.
        public var responsesPerSecond: Double
        /// Every slip-th limited response is sent truncated; 0 drops them all.
        public var slip: Int
        public var ipv4PrefixLength = 24
        public var ipv6PrefixLength = 56

        public init(responsesPerSecond: Double, slip: Int) {
            self.responsesPerSecond = responsesPerSecond
            self.slip = slip
        }
    }

    struct Bucket {
        var tokens: Double
        var updated: Double
        var limited: Int
    }

    public let settings: Settings
    private var buckets: [IPAddress: Bucket] = [:]
    /// The table is swept of full buckets when it grows past this, so spoofed sources cannot
    /// make it grow without bound.
    private let sweepAt = 100_000

    public init(settings: Settings) { self.settings = settings }

    /// The verdict for one response to `client` at `now` (seconds, monotonic).
    public mutating func verdict(for client: IPAddress, now: Double) -> Verdict {
        let rate = settings.responsesPerSecond
        guard rate > 0 else { return .send }
        let network = client.masked(to: client.isIPv4 ? settings.ipv4PrefixLength : settings.ipv6PrefixLength)
        var bucket = buckets[network] ?? Bucket(tokens: rate, updated: now, limited: 0)
        bucket.tokens = min(rate, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        let verdict: Verdict
        if bucket.tokens >= 1 {
            bucket.tokens -= 1
            verdict = .send
        } else {
            bucket.limited += 1
            verdict = settings.slip > 0 && bucket.limited % settings.slip == 0 ? .truncate : .drop
        }
        buckets[network] = bucket
        if buckets.count > sweepAt {
            buckets = buckets.filter { $0.value.tokens + (now - $0.value.updated) * rate < rate }
        }
        return verdict
    }
}
