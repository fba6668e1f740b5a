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

    public static let maxSegments = 1_000_000

    /// Every segment's (start, duration), expanded back out.
    public var segments: [(start: Int64, duration: Int64)] { segments() }

    /// The segments from `origin` on. A negative @r (ISO/IEC 23009-1: -1) repeats the run until
    /// the next entry's start or, for the last run, until `end`.
    public func segments(from origin: Int64 = 0, until end: Int64 = .max) -> [(start: Int64, duration: Int64)] {
        var result: [(start: Int64, duration: Int64)] = []
        var time = origin
        for (position, entry) in entries.enumerated() {
            if let start = entry.start { time = start }
            var count = entry.repeats + 1
            if entry.repeats < 0 {
                let next = position + 1 < entries.count ? entries[position + 1].start : nil
                let stop = next ?? (end == .max ? time + entry.duration : end)
                count = Int(max(0, (stop - time + entry.duration - 1) / entry.duration))
            }
            // A hostile @r must not exhaust memory: no real presentation has a million segments.
            for _ in 0..<min(max(count, 0), Self.maxSegments - result.count) {
                result.append((time, entry.duration))
                time += entry.duration
            }
        }
        return result
    }
}
