/// A position in a trace being replayed, and the Pensieve reference's arithmetic for moving it:
/// bytes cross the link at the sample's bandwidth times the payload share, the trace loops from
/// its start when exhausted, and idle time moves the position without carrying data.
public struct TraceCursor: Sendable {
    let trace: NetworkTrace
    /// Share of the link that carries payload (headers and losses take the rest).
    let payloadShare: Double
    private var pointer = 1
    private var lastTime: Double

    public init(trace: NetworkTrace, payloadShare: Double = 0.95) {
        self.trace = trace
        self.payloadShare = payloadShare
        lastTime = trace.times[0]
    }

    /// Current time within the trace, in seconds.
    public var position: Double { lastTime }

    /// The round trip the trace records at the current position, if it records one.
    public var latency: Double? { trace.latencies?[pointer] }

    /// Moves `bytes` across the link and returns the seconds that took.
    public mutating func transmit(bytes: Double) -> Double {
        transmit(bytes: bytes, within: .infinity).seconds
    }

    /// Moves `bytes` across the link, or what of them fits in `limit` seconds: the seconds it
    /// took and the bytes sent (a download given up part way).
    public mutating func transmit(bytes: Double, within limit: Double) -> (seconds: Double, sent: Double) {
        var elapsed = 0.0
        var sent = 0.0
        while true {
            let throughput = trace.mbps[pointer] * 1_000_000 / 8
            let duration = trace.times[pointer] - lastTime
            let payload = throughput * duration * payloadShare
            let finishes = sent + payload > bytes
            if finishes || elapsed + duration > limit {
                let needed = finishes ? (bytes - sent) / throughput / payloadShare : .infinity
                let fraction = min(needed, limit - elapsed)
                lastTime += fraction
                return (elapsed + fraction, fraction == needed ? bytes : sent + throughput * fraction * payloadShare)
            }
            sent += payload
            elapsed += duration
            lastTime = trace.times[pointer]
            step()
        }
    }

    /// Lets `seconds` pass with nothing sent.
    public mutating func idle(_ seconds: Double) {
        var left = seconds
        while true {
            let duration = trace.times[pointer] - lastTime
            if duration > left {
                lastTime += left
                return
            }
            left -= duration
            lastTime = trace.times[pointer]
            step()
        }
    }

    private mutating func step() {
        pointer += 1
        if pointer >= trace.times.count {
            pointer = 1
            lastTime = 0
        }
    }
}
