/// One timed piece of subtitle text, in seconds on the source's timeline.
public struct SubtitleCue: Sendable, Equatable {
    public var start: Double
    public var end: Double
    /// As the decoder gives it: an ASS dialogue line for text formats (FFmpeg's common form).
    public var assText: String

    public init(start: Double, end: Double, assText: String) {
        self.start = start
        self.end = end
        self.assText = assText
    }
}
