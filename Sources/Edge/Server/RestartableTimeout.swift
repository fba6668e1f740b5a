import NIOCore

/// A timeout restarted far more often than it fires (once per request, once per body slice).
/// Cancelling and scheduling an event-loop task each time costs more than the request's own
/// bookkeeping, so a restart only notes the time; the one scheduled task, when it fires early,
/// sleeps again for what remains since the last restart.
final class RestartableTimeout {
    private let eventLoop: EventLoop
    private let timeout: TimeAmount
    private let expired: () -> Void
    private var since = NIODeadline.now()
    private var task: Scheduled<Void>?
    private var running = false

    init(on eventLoop: EventLoop, after seconds: Double, expired: @escaping () -> Void) {
        self.eventLoop = eventLoop
        timeout = .fromSeconds(seconds)
        self.expired = expired
    }

    /// Starts the period again from now.
    func restart() {
        since = .now()
        running = true
        if task == nil { schedule(in: timeout) }
    }

    /// Pauses it until the next restart; the task already scheduled finds nothing to do.
    func stop() { running = false }

    /// For good: the connection is going away.
    func cancel() {
        task?.cancel()
        task = nil
        running = false
    }

    private func schedule(in delay: TimeAmount) {
        task = eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            task = nil
            guard running else { return }
            let remaining = timeout - (NIODeadline.now() - since)
            if remaining > .zero {
                schedule(in: remaining)
            } else {
                running = false
                expired()
            }
        }
    }
}
