import CMCD

/// What the edge tells a client in `CMSD-Dynamic` about its path to it: the throughput its
/// bodies leave at, and the round-trip time.
///
/// Throughput comes from this connection's own bodies (bytes over the time from the first byte
/// handed to the socket to the last write completing), so an emulated link's pacing is in it.
/// Small bodies fit the socket buffer and would measure a memory copy: only those of
/// `measuredBytes` or more count. Until one has, only an emulated link's rate is known (the
/// kernel's congestion window per round trip is a ceiling, not a rate: on an idle loopback it
/// reads as 100 Gbit/s). The round trip is the kernel's smoothed RTT plus the emulated delay.
/// Pure: the responder feeds it.
struct DeliveryEstimate {
    static let measuredBytes: Int64 = 32 * 1024
    /// How long a TCP_INFO reading is used before the next is taken.
    static let tcpRefreshSeconds = 1.0
    /// Weight of the newest body in the throughput average.
    static let newestWeight = 0.5

    /// The emulated link's rate, bits/s, when one applies.
    var linkBitsPerSecond: Double?
    /// Added before each response (the emulated link's delay), seconds.
    var linkDelay = 0.0

    private(set) var bodyBytesPerSecond: Double?
    private var tcpRoundTrip: Double?
    private var tcpReadAt: Double?

    /// A body of `bytes` left in `seconds`.
    mutating func bodySent(bytes: Int64, seconds: Double) {
        guard bytes >= Self.measuredBytes, seconds > 0 else { return }
        let rate = Double(bytes) / seconds
        bodyBytesPerSecond = bodyBytesPerSecond.map { $0 + Self.newestWeight * (rate - $0) } ?? rate
    }

    func needsTCPReading(at now: Double) -> Bool {
        tcpReadAt.map { now - $0 >= Self.tcpRefreshSeconds } ?? true
    }

    /// A TCP_INFO reading: the smoothed RTT in microseconds.
    mutating func tcpReading(rttMicroseconds: UInt32, at now: Double) {
        tcpReadAt = now
        if rttMicroseconds > 0 { tcpRoundTrip = Double(rttMicroseconds) / 1_000_000 }
    }

    /// The entry this server adds; nil while it knows nothing yet.
    func serverData(server: String) -> CMSDDynamic? {
        var throughput = bodyBytesPerSecond
        if let link = linkBitsPerSecond { throughput = min(throughput ?? .infinity, link / 8) }
        let roundTrip = tcpRoundTrip.map { $0 + linkDelay } ?? (linkDelay > 0 ? linkDelay : nil)
        guard throughput != nil || roundTrip != nil else { return nil }
        return CMSDDynamic(server: server,
                           estimatedThroughputKbps: throughput.map { Int(($0 * 8 / 1000).rounded()) },
                           roundTripMs: roundTrip.map { Int(($0 * 1000).rounded()) })
    }
}
