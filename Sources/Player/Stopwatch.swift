/// Seconds since it was made, on the monotonic clock: the player's one way of timing things
/// (a request, a session, a penalty), so wall-clock jumps never bend a measurement.
struct Stopwatch: Sendable {
    private let start = ContinuousClock.now

    var elapsed: Double {
        let duration = ContinuousClock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}
