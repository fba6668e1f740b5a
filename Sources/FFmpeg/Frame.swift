import CFFmpeg

/// Owns one AVFrame. A frame is handed from thread to thread (decoder to encoders) but never used
/// by two at once; `reference()` gives each consumer its own frame over the same refcounted buffers.
public final class Frame: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<AVFrame>

    public init() {
        guard let frame = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        pointer = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    /// A new frame sharing this one's data buffers (no pixel copy).
    public func reference() throws -> Frame {
        let copy = Frame()
        try check(av_frame_ref(copy.pointer, pointer), "av_frame_ref")
        return copy
    }

    public func unref() { av_frame_unref(pointer) }

    public var pts: Int64 {
        get { pointer.pointee.pts }
        set { pointer.pointee.pts = newValue }
    }

    /// The decoder's best guess of the presentation time, in the stream's time base.
    public var bestEffortTimestamp: Int64 { pointer.pointee.best_effort_timestamp }
    public var width: Int32 { pointer.pointee.width }
    public var height: Int32 { pointer.pointee.height }
    public var format: Int32 { pointer.pointee.format }
    public var sampleCount: Int32 { pointer.pointee.nb_samples }
    public var sampleRate: Int32 { pointer.pointee.sample_rate }

    /// Asks the encoder for a keyframe here (with libx264's forced-idr, an IDR).
    public func forceKeyframe() { pointer.pointee.pict_type = AV_PICTURE_TYPE_I }
    /// Leaves frame type decisions to the encoder.
    public func clearFrameType() { pointer.pointee.pict_type = AV_PICTURE_TYPE_NONE }
}
