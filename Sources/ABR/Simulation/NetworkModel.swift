import Traces
/// How long one request took: to the first byte and to the last, and the bytes that arrived
/// (fewer than asked when the request was given up).
public struct Transfer: Sendable {
    public var seconds: Double
    public var firstByte: Double
    public var bytes: Double
}

/// How long a segment request takes on a replayed link. The simulator's only view of the network.
public protocol NetworkModel: Sendable {
    /// A request for `bytes`, given up `limit` seconds after it was sent if it has not finished.
    mutating func download(bytes: Double, giveUpAfter limit: Double) -> Transfer
    /// Lets time pass with the connection idle (the player waiting on a full buffer).
    mutating func idle(_ seconds: Double)
}

extension NetworkModel {
    /// A request carried through to its last byte.
    public mutating func download(bytes: Double) -> Transfer {
        download(bytes: bytes, giveUpAfter: .infinity)
    }
}

/// The research reference (Pensieve's simulator): every request costs one 80 ms round trip plus
/// its bytes over the trace's bandwidth × 0.95.
public struct PensieveNetwork: NetworkModel {
    private var cursor: TraceCursor
    public let roundTrip: Double

    public init(trace: NetworkTrace, roundTrip: Double = 0.08) {
        cursor = TraceCursor(trace: trace)
        self.roundTrip = roundTrip
    }

    public mutating func download(bytes: Double, giveUpAfter limit: Double) -> Transfer {
        // The reference adds the round trip after the bytes; a request given up before it ends
        // has spent `limit` in all.
        let (seconds, sent) = cursor.transmit(bytes: bytes, within: max(limit - roundTrip, 0))
        return Transfer(seconds: min(seconds + roundTrip, limit), firstByte: roundTrip, bytes: sent)
    }

    public mutating func idle(_ seconds: Double) { cursor.idle(seconds) }
}

/// HTTP over one persistent TCP connection: each request waits a round trip for its first byte
/// (the trace's own latency when it records one), and the congestion window starts at ten
/// segments and doubles every round trip until the link, not the window, limits the transfer.
/// After an idle spell longer than the retransmission timeout the window starts over
/// (slow-start restart, RFC 5681 §4.1), so a player that pauses on a full buffer pays for it.
public struct HTTPNetwork: NetworkModel {
    private var cursor: TraceCursor
    public let defaultRoundTrip: Double
    public let initialWindow: Double
    public let idleRestart: Double
    private var window: Double
    private var idleSince = 0.0

    public init(trace: NetworkTrace, roundTrip: Double = 0.08, initialWindow: Double = 10 * 1460,
                idleRestart: Double = 1.0) {
        cursor = TraceCursor(trace: trace)
        defaultRoundTrip = roundTrip
        self.initialWindow = initialWindow
        self.idleRestart = idleRestart
        window = initialWindow
    }

    public mutating func download(bytes: Double, giveUpAfter limit: Double) -> Transfer {
        if idleSince > idleRestart { window = initialWindow }
        idleSince = 0
        let roundTrip = cursor.latency ?? defaultRoundTrip
        // The request's trip out and the first byte's trip back.
        let wait = min(roundTrip, limit)
        cursor.idle(wait)
        guard wait == roundTrip else { return Transfer(seconds: limit, firstByte: roundTrip, bytes: 0) }
        var elapsed = roundTrip
        var remaining = bytes
        while remaining > window {
            var probe = cursor
            let flight = probe.transmit(bytes: window)
            guard flight < roundTrip else {
                // The link is the bottleneck from here on; the window has caught up with it.
                window = max(window, window * roundTrip / flight)
                break
            }
            // Window-limited: a window's worth per round trip, then the window doubles.
            guard elapsed + roundTrip <= limit else {
                // Given up within this round trip: its window arrives in proportion.
                let part = limit - elapsed
                cursor.idle(part)
                return Transfer(seconds: limit, firstByte: roundTrip, bytes: bytes - remaining + window * part / roundTrip)
            }
            cursor.idle(roundTrip)
            elapsed += roundTrip
            remaining -= window
            window *= 2
        }
        let (seconds, sent) = cursor.transmit(bytes: remaining, within: limit - elapsed)
        return Transfer(seconds: elapsed + seconds, firstByte: roundTrip, bytes: bytes - remaining + sent)
    }

    public mutating func idle(_ seconds: Double) {
        cursor.idle(seconds)
        idleSince += seconds
    }
}
