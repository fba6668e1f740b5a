import CFFmpeg

/// Owns a libswscale context converting any decoded picture to yuv420p at one output size.
public final class Scaler {
    private var context: OpaquePointer?
    public let width: Int32
    public let height: Int32

    public init(width: Int32, height: Int32) {
        self.width = width
        self.height = height
    }

    deinit { sws_freeContext(context) }

    /// One output picture, reused frame after frame: encoders copy what they are given (x264 does)
    /// or keep a reference, in which case av_frame_make_writable gives us a fresh buffer.
    private var output: Frame?

    /// The source as a yuv420p frame at this scaler's size; the source may change size or format
    /// mid-stream. A source already in that shape is passed through without a copy. With
    /// `reuse`, the returned frame is overwritten by the next call.
    public func scale(_ source: Frame, reuse: Bool = true) throws -> Frame {
        let src = source.pointer.pointee
        if src.width == width, src.height == height, src.format == AV_PIX_FMT_YUV420P.rawValue {
            return try source.reference()
        }
        context = sws_getCachedContext(context, src.width, src.height, AVPixelFormat(src.format),
                                       width, height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nil, nil, nil)
        guard context != nil else {
            throw FFmpegError("scale to \(width)x\(height)", message: "unsupported source pixel format")
        }
        let out: Frame
        if reuse, let previous = output {
            out = previous
            try check(av_frame_make_writable(out.pointer), "frame buffer \(width)x\(height)")
        } else {
            out = Frame()
            out.pointer.pointee.width = width
            out.pointer.pointee.height = height
            out.pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
            try check(av_frame_get_buffer(out.pointer, 0), "frame buffer \(width)x\(height)")
            if reuse { output = out }
        }
        try check(sws_scale_frame(context, out.pointer, source.pointer), "scale to \(width)x\(height)")
        out.pts = source.pts
        return out
    }
}
