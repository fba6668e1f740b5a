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

    /// Output pictures, each reused once every reference handed out on it is gone: encoders copy
    /// what they are given (x264 does), so this stays at a few pictures even while the PSNR
    /// check keeps some.
    private var pictures: [Frame] = []

    /// The source as a yuv420p frame at this scaler's size; the source may change size or format
    /// mid-stream. A source already in that shape is passed through without a copy. The result
    /// is the caller's own reference: later calls never overwrite it.
    public func scale(_ source: Frame) throws -> Frame {
        let src = source.pointer.pointee
        if src.width == width, src.height == height, src.format == AV_PIX_FMT_YUV420P.rawValue {
            return try source.reference()
        }
        context = sws_getCachedContext(context, src.width, src.height, AVPixelFormat(src.format),
                                       width, height, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nil, nil, nil)
        guard context != nil else {
            throw FFmpegError("scale to \(width)x\(height)", message: "unsupported source pixel format")
        }
        let out = try unusedPicture()
        try check(sws_scale_frame(context, out.pointer, source.pointer), "scale to \(width)x\(height)")
        out.pts = source.pts
        return try out.reference()
    }

    private func unusedPicture() throws -> Frame {
        if let free = pictures.first(where: { av_frame_is_writable($0.pointer) != 0 }) { return free }
        let out = Frame()
        out.pointer.pointee.width = width
        out.pointer.pointee.height = height
        out.pointer.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        try check(av_frame_get_buffer(out.pointer, 0), "frame buffer \(width)x\(height)")
        pictures.append(out)
        return out
    }
}
