import CFFmpeg

public enum MediaType: Sendable {
    case video, audio

    var av: AVMediaType { self == .video ? AVMEDIA_TYPE_VIDEO : AVMEDIA_TYPE_AUDIO }
}

/// What a demuxed stream carries, as far as the segmenter needs to know.
public struct StreamInfo: Sendable {
    public let index: Int32
    public let type: MediaType
    public let codecName: String
    public let timeBase: Rational
    public let startTime: Int64?
    public let durationSeconds: Double?
    // Video
    public let width: Int32
    public let height: Int32
    /// The average frame rate (or the base rate when there is no average).
    public let frameRate: Rational
    /// The base rate every timestamp fits (r_frame_rate): above the average when the rate varies.
    public let baseFrameRate: Rational
    public let sampleAspectRatio: Rational
    /// Clockwise degrees (0, 90, 180, 270) the picture must turn to display upright, from the
    /// stream's display matrix (phones record sideways and say so there).
    public let rotation: Int
    /// The stream says its pictures are made of two fields (its field order is not progressive).
    public let interlaced: Bool
    // Audio
    public let sampleRate: Int32
    public let channels: Int32
    public let language: String?
}
