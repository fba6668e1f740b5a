import NIOCore

/// One scheduled task standing for a deadline that moves far more often than it fires (once
/// per request, once per body slice). Cancelling and scheduling an event-loop task each time
/// costs more than the request's own bookkeeping, so moving the deadline later only notes it;
/// the task, when it wakes early, asks again and sleeps for what remains. Times come from the
/// event loop's clock, so tests drive it with an `EmbeddedEventLoop`.
final class DeadlineTimer {
    private let eventLoop: EventLoop
    private let check: () -> NIODeadline?
    private var task: Scheduled<Void>?
    private var wakeAt: NIODeadline?

    /// `check` runs when the timer wakes: it acts on what is due and returns the next deadline.
    init(on eventLoop: EventLoop, check: @escaping () -> NIODeadline?) {
        self.eventLoop = eventLoop
        self.check = check
    }

    /// Makes sure the timer wakes by `deadline`.
    func wake(by deadline: NIODeadline) {
        if let wakeAt, wakeAt <= deadline { return }
        task?.cancel()
        schedule(at: deadline)
    }

    func cancel() {
        task?.cancel()
        task = nil
        wakeAt = nil
    }

    private func schedule(at deadline: NIODeadline) {
        wakeAt = deadline
        task = eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            task = nil
            wakeAt = nil
            if let next = check() { schedule(at: next) }
        }
    }
}
