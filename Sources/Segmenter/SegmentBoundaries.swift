/// Where segments start: on the first frame at or after n·D. Every rung sees the same decoded
/// frames and asks the same instance, so segment n starts at the same media time everywhere.
public struct SegmentBoundaries: Sendable {
    public let duration: Double
    private var nextBoundary: Double?

    public init(duration: Double) {
        precondition(duration > 0)
        self.duration = duration
    }

    /// True when the frame at `time` seconds (from the start) opens a new segment.
    public mutating func startsSegment(at time: Double) -> Bool {
        // A tolerance of a microsecond absorbs time-base rounding (n·D given as 119.99999…).
        let epsilon = 1e-6
        if let next = nextBoundary, time + epsilon < next { return false }
        nextBoundary = ((time + epsilon) / duration).rounded(.down) * duration + duration
        return true
    }
}
