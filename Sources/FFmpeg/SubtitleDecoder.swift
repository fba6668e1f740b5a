import CFFmpeg

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

/// Owns a decoder (AVCodecContext) for a text subtitle stream (mov_text, SubRip, ASS, WebVTT),
/// whose cues come out in FFmpeg's ASS form whatever the source format.
public final class SubtitleDecoder {
    private let context: UnsafeMutablePointer<AVCodecContext>
    private let timeBase: Rational
    public let name: String

    public init(input: InputFile, stream: StreamInfo) throws {
        let par = input.codecParameters(stream.index)
        name = String(cString: avcodec_get_name(par.pointee.codec_id))
        guard let codec = avcodec_find_decoder(par.pointee.codec_id) else {
            throw FFmpegError("no decoder for \(name)", message: "codec not supported by this FFmpeg")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        timeBase = stream.timeBase
        try check(avcodec_parameters_to_context(ctx, par), "decoder parameters for \(name)")
        ctx.pointee.pkt_timebase = stream.timeBase.av
        try check(avcodec_open2(ctx, codec, nil), "cannot open \(name) decoder")
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }

    /// The cues in one packet.
    public func decode(_ packet: Packet) throws -> [SubtitleCue] {
        var subtitle = AVSubtitle()
        var got: Int32 = 0
        try check(avcodec_decode_subtitle2(context, &subtitle, &got, packet.pointer), "cannot decode \(name)")
        guard got != 0 else { return [] }
        defer { avsubtitle_free(&subtitle) }
        let base = Double(packet.pts) * timeBase.double
        let start = base + Double(subtitle.start_display_time) / 1000
        let end = subtitle.end_display_time > subtitle.start_display_time && subtitle.end_display_time != UInt32.max
            ? base + Double(subtitle.end_display_time) / 1000
            : base + Double(packet.duration) * timeBase.double
        return (0..<Int(subtitle.num_rects)).compactMap { index in
            guard let rect = subtitle.rects[index]?.pointee else { return nil }
            let text = rect.ass.map { String(cString: $0) } ?? rect.text.map { String(cString: $0) }
            return text.map { SubtitleCue(start: start, end: end, assText: $0) }
        }
    }
}
