/// A link's capacity over time in the Pensieve "cooked" form: sample `i` holds `mbps[i]` from
/// `times[i-1]` to `times[i]` (the first sample only marks the start). Mahimahi and Sabre traces
/// are converted into this form when loaded. `latencies`, when the trace carries them (Sabre),
/// give each sample's round-trip time in seconds.
public struct NetworkTrace: Sendable {
    public let name: String
    public let times: [Double]
    public let mbps: [Double]
    public let latencies: [Double]?

    public init(name: String, times: [Double], mbps: [Double], latencies: [Double]? = nil) throws {
        guard times.count == mbps.count, latencies.map({ $0.count == times.count }) ?? true else {
            throw TraceError("\(name): times and bandwidths differ in count")
        }
        guard times.count >= 2 else {
            throw TraceError("\(name): a trace needs at least two samples")
        }
        for index in 1..<times.count where !(times[index] >= times[index - 1]) {
            throw TraceError("\(name): time goes backwards at sample \(index + 1) (\(times[index]) after \(times[index - 1]))")
        }
        guard mbps.allSatisfy({ $0 >= 0 && $0.isFinite }) else {
            throw TraceError("\(name): a bandwidth is negative or not a number")
        }
        // The replay loops over samples 1..<n forever; it must be able to deliver a byte.
        let deliversSomething = (1..<times.count).contains { mbps[$0] > 0 && times[$0] > times[$0 - 1] }
        guard deliversSomething else {
            throw TraceError("\(name): the trace never carries any data (zero bandwidth throughout)")
        }
        self.name = name
        self.times = times
        self.mbps = mbps
        self.latencies = latencies
    }

    public var duration: Double { times[times.count - 1] - times[0] }

    /// Mean capacity in Mbit/s, weighted by time.
    public var meanMbps: Double {
        var bits = 0.0
        for index in 1..<times.count { bits += mbps[index] * (times[index] - times[index - 1]) }
        return duration > 0 ? bits / duration : mbps[1]
    }
}
