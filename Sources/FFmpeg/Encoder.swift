import CFFmpeg

/// How to set up a video encoder. `options` are the codec's private options (libx264's preset,
/// forced-idr, x264-params …), applied as FFmpeg's CLI would apply `-preset` and friends.
public struct VideoEncoderSettings: Sendable {
    public var codecName = "libx264"
    public var width: Int32
    public var height: Int32
    public var timeBase: Rational
    public var frameRate: Rational
    public var sampleAspectRatio = Rational(1, 1)
    public var bitRate: Int64 = 0
    public var maxRate: Int64 = 0
    public var bufferSize: Int32 = 0
    public var gopSize: Int32 = 250
    public var threads: Int32 = 0
    /// Written into the stream (H.264 VUI) and the container (colr), so players need not guess.
    public var colour = ColourTags.bt709
    public var options: [String: String] = [:]

    public init(width: Int32, height: Int32, timeBase: Rational, frameRate: Rational) {
        self.width = width
        self.height = height
        self.timeBase = timeBase
        self.frameRate = frameRate
    }
}

public struct AudioEncoderSettings: Sendable {
    public var codecName = "aac"
    public var sampleRate: Int32 = 48_000
    public var channels: Int32 = 2
    public var bitRate: Int64 = 128_000
    public var options: [String: String] = [:]

    public init() {}
}

/// Owns an encoder (AVCodecContext) opened with global headers, as MP4 needs.
public final class Encoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    public let codecName: String

    public convenience init(video s: VideoEncoderSettings) throws {
        try self.init(codecName: s.codecName, options: s.options) { ctx in
            ctx.pointee.width = s.width
            ctx.pointee.height = s.height
            ctx.pointee.pix_fmt = AV_PIX_FMT_YUV420P
            ctx.pointee.time_base = s.timeBase.av
            ctx.pointee.framerate = s.frameRate.av
            ctx.pointee.sample_aspect_ratio = s.sampleAspectRatio.av
            ctx.pointee.bit_rate = s.bitRate
            ctx.pointee.rc_max_rate = s.maxRate
            ctx.pointee.rc_buffer_size = s.bufferSize
            ctx.pointee.gop_size = s.gopSize
            ctx.pointee.thread_count = s.threads
            ctx.pointee.color_primaries = AVColorPrimaries(UInt32(s.colour.primaries))
            ctx.pointee.color_trc = AVColorTransferCharacteristic(UInt32(s.colour.transfer))
            ctx.pointee.colorspace = AVColorSpace(UInt32(s.colour.matrix))
            ctx.pointee.color_range = AVColorRange(UInt32(s.colour.range))
        }
    }

    public convenience init(audio s: AudioEncoderSettings) throws {
        try self.init(codecName: s.codecName, options: s.options) { ctx in
            ctx.pointee.sample_rate = s.sampleRate
            ctx.pointee.sample_fmt = AV_SAMPLE_FMT_FLTP
            av_channel_layout_default(&ctx.pointee.ch_layout, s.channels)
            ctx.pointee.bit_rate = s.bitRate
            ctx.pointee.time_base = AVRational(num: 1, den: s.sampleRate)
        }
    }

    private init(codecName: String, options: [String: String],
                 configure: (UnsafeMutablePointer<AVCodecContext>) -> Void) throws {
        guard let codec = avcodec_find_encoder_by_name(codecName) else {
            throw FFmpegError("encoder \(codecName)", message: "not available in this FFmpeg build")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        self.codecName = codecName
        configure(ctx)
        ctx.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        var dict: OpaquePointer?
        for (key, value) in options { av_dict_set(&dict, key, value, 0) }
        defer { av_dict_free(&dict) }
        try check(avcodec_open2(ctx, codec, &dict), "cannot open \(codecName) encoder")
        if let unused = av_dict_get(dict, "", nil, AV_DICT_IGNORE_SUFFIX) {
            throw FFmpegError("encoder \(codecName)", message: "unknown option '\(String(cString: unused.pointee.key))'")
        }
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }

    public var timeBase: Rational { Rational(context.pointee.time_base) }
    public var bitRate: Int64 { context.pointee.bit_rate }
    /// Samples per audio frame the encoder expects (AAC: 1024).
    public var frameSize: Int32 { context.pointee.frame_size }
    public var width: Int32 { context.pointee.width }
    public var height: Int32 { context.pointee.height }
    public var sampleRate: Int32 { context.pointee.sample_rate }
    public var channels: Int32 { context.pointee.ch_layout.nb_channels }

    /// Codec configuration: SPS/PPS for H.264 (Annex B from libx264), AudioSpecificConfig for AAC.
    public var extradata: [UInt8] {
        guard let data = context.pointee.extradata, context.pointee.extradata_size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: Int(context.pointee.extradata_size)))
    }

    /// Feeds one frame, or nil to drain.
    public func send(_ frame: Frame?) throws {
        let ret = avcodec_send_frame(context, frame?.pointer)
        if ret == dashcdn_averror_eof() { return }
        try check(ret, "\(codecName) encoding failed")
    }

    /// The next packet into `packet`; false when the encoder needs more input or is drained.
    public func receive(into packet: Packet) throws -> Bool {
        packet.unref()
        let ret = avcodec_receive_packet(context, packet.pointer)
        if ret == dashcdn_averror_eagain() || ret == dashcdn_averror_eof() { return false }
        try check(ret, "\(codecName) encoding failed")
        return true
    }
}
