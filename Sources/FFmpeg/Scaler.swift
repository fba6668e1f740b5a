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

    /// A new yuv420p frame at this scaler's size; the source may change size or format mid-stream.
    public func scale(_ source: Frame) throws -> Frame {
        let src = source.pointer.pointee
        context = sws_getCachedContext(context, src.width, src.height, AVPixelFormat(src.format),
                                       width, height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nil, nil, nil)
        guard context != nil else {
            throw FFmpegError("scale to \(width)x\(height)", message: "unsupported source pixel format")
        }
        let out = Frame()
        out.pointer.pointee.width = width
        out.pointer.pointee.height = height
        out.pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        try check(av_frame_get_buffer(out.pointer, 0), "frame buffer \(width)x\(height)")
        try check(sws_scale_frame(context, out.pointer, source.pointer), "scale to \(width)x\(height)")
        out.pts = source.pts
        return out
    }
}
