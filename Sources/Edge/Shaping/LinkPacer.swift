import Topology
import Traces

/// Paces one connection's bytes as an emulated link would carry them: a fixed rate, or a
/// bandwidth trace replayed from the moment the connection opened. It keeps the time at which
/// the link will next be free, so idle periods earn no burst credit, as on a real bottleneck.
public struct LinkPacer: Sendable {
    private enum Shape: Sendable {
        case rate(bytesPerSecond: Double)
        case trace(TraceCursor)
    }

    private var shape: Shape
    /// Seconds since the connection opened at which the link has sent everything so far.
    private var freeAt = 0.0
    /// The slice written at once: about 10 ms of the link's nominal rate, within 4 KiB…256 KiB,
    /// so the bytes leave smoothly rather than in bursts the client would measure as speed.
    public let sliceBytes: Int

    /// nil when the link has no rate limit or trace (a delay alone needs no pacing).
    public init?(_ link: LinkSpec, trace: NetworkTrace?) {
        let nominal: Double
        if let trace {
            shape = .trace(TraceCursor(trace: trace, payloadShare: 1))
            nominal = trace.meanMbps * 1_000_000 / 8
        } else if let bits = link.rateBitsPerSecond {
            shape = .rate(bytesPerSecond: bits / 8)
            nominal = bits / 8
        } else {
            return nil
        }
        sliceBytes = Int(min(262_144, max(4096, nominal / 100)))
    }

    /// Sends `bytes` starting no earlier than `now` (seconds since the connection opened) and
    /// returns when the link has carried them.
    public mutating func send(bytes: Int, at now: Double) -> Double {
        let start = max(now, freeAt)
        switch shape {
        case .rate(let rate):
            freeAt = start + Double(bytes) / rate
        case .trace(var cursor):
            // Time the link sat idle still passes on the trace.
            cursor.idle(max(0, start - cursor.position))
            freeAt = start + cursor.transmit(bytes: Double(bytes))
            shape = .trace(cursor)
        }
        return freeAt
    }
}
