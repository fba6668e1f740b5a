/// An emulated network link: an added delay per request (a stand-in for distance), and either a
/// fixed rate limit or a bandwidth trace replayed as the connection's rate over time.
public struct LinkSpec: Sendable, Hashable {
    /// Added before each response's first byte, in seconds.
    public var delay: Double
    /// Rate limit per connection in bits per second, if any.
    public var rateBitsPerSecond: Double?
    /// A Pensieve (`time_s Mbps`) or Mahimahi trace file replayed as the rate, if any.
    public var tracePath: String?

    public init(delay: Double = 0, rateBitsPerSecond: Double? = nil, tracePath: String? = nil) {
        self.delay = delay
        self.rateBitsPerSecond = rateBitsPerSecond
        self.tracePath = tracePath
    }

    /// The link a client sees through two stages in series (its zone's access network, then the
    /// edge's own uplink): delays add up, the slower rate wins, and a zone's trace takes
    /// precedence over an edge's.
    public func then(_ next: LinkSpec) -> LinkSpec {
        let rates = [rateBitsPerSecond, next.rateBitsPerSecond].compactMap { $0 }
        return LinkSpec(delay: delay + next.delay, rateBitsPerSecond: rates.min(), tracePath: tracePath ?? next.tracePath)
    }
}
