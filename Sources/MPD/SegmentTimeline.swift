/// A SegmentTimeline: runs of segments of equal duration (`<S t d r>`), built from the real
/// start times and durations of the segments, in the representation's timescale.
public struct SegmentTimeline: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        /// Start time, written only where it does not follow from the previous run.
        public var start: Int64?
        public var duration: Int64
        /// Extra repeats: r = 2 means three segments.
        public var repeats: Int

        public init(start: Int64?, duration: Int64, repeats: Int = 0) {
            self.start = start
            self.duration = duration
            self.repeats = repeats
        }
    }

    public var entries: [Entry]

    public init(entries: [Entry]) { self.entries = entries }

    /// Compresses a list of (start, duration) segments into runs.
    public init(segments: [(start: Int64, duration: Int64)]) {
        var entries: [Entry] = []
        var expectedStart: Int64?
        for segment in segments {
            let contiguous = segment.start == expectedStart
            if contiguous, let last = entries.last, last.duration == segment.duration {
                entries[entries.count - 1].repeats += 1
            } else {
                entries.append(Entry(start: contiguous ? nil : segment.start, duration: segment.duration))
            }
            expectedStart = segment.start + segment.duration
        }
        self.entries = entries
    }

    /// Every segment's (start, duration), expanded back out.
    public var segments: [(start: Int64, duration: Int64)] {
        var result: [(start: Int64, duration: Int64)] = []
        var time: Int64 = 0
        for entry in entries {
            if let start = entry.start { time = start }
            for _ in 0...max(0, entry.repeats) {
                result.append((time, entry.duration))
                time += entry.duration
            }
        }
        return result
    }
}
