import NIOCore

/// When a connection between requests must give up, as a state machine over times it is told:
/// waiting for a request it closes after the idle timeout; once part of a head has arrived the
/// rest must follow within the header timeout (then it answers 408 and closes); while a response
/// is being sent neither runs (the send timeout watches the writes).
struct ConnectionTimeouts {
    enum Expiry: Equatable {
        case close
        case requestTimeout
    }

    private enum Phase {
        case waiting(since: NIODeadline)
        case readingHead(since: NIODeadline)
        case responding
    }

    let idle: TimeAmount
    let header: TimeAmount
    private var phase: Phase

    init(idle: TimeAmount, header: TimeAmount, now: NIODeadline) {
        self.idle = idle
        self.header = header
        phase = .waiting(since: now)
    }

    mutating func partialHeadArrived(at now: NIODeadline) {
        if case .waiting = phase { phase = .readingHead(since: now) }
    }

    mutating func requestStarted() { phase = .responding }

    mutating func responseEnded(at now: NIODeadline) { phase = .waiting(since: now) }

    /// When the current wait runs out, and what happens then; nil while responding.
    var deadline: (at: NIODeadline, expiry: Expiry)? {
        switch phase {
        case .waiting(let since): return (since + idle, .close)
        case .readingHead(let since): return (since + header, .requestTimeout)
        case .responding: return nil
        }
    }

    /// What is due at `now`, if anything.
    func expired(at now: NIODeadline) -> Expiry? {
        guard let deadline, now >= deadline.at else { return nil }
        return deadline.expiry
    }
}
