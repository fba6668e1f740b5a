import CFFmpeg

/// Owns a decoder (AVCodecContext) for one stream of an InputFile.
public final class Decoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    /// The codec's name, for error messages.
    public let name: String

    /// `threads` 0 lets the codec pick (one per core).
    public convenience init(input: InputFile, stream: StreamInfo, threads: Int = 0) throws {
        try self.init(parameters: input.codecParameters(stream.index), timeBase: stream.timeBase, threads: Int32(threads))
    }

    /// A decoder for what `encoder` produces, e.g. to measure its quality; single-threaded so it
    /// returns each frame as soon as it can.
    public convenience init(decoding encoder: Encoder) throws {
        guard let par = avcodec_parameters_alloc() else { fatalError("avcodec_parameters_alloc: out of memory") }
        var owned: UnsafeMutablePointer<AVCodecParameters>? = par
        defer { avcodec_parameters_free(&owned) }
        try check(avcodec_parameters_from_context(par, encoder.context), "decoder parameters")
        try self.init(parameters: par, timeBase: encoder.timeBase, threads: 1)
    }

    private init(parameters par: UnsafeMutablePointer<AVCodecParameters>, timeBase: Rational, threads: Int32) throws {
        name = String(cString: avcodec_get_name(par.pointee.codec_id))
        guard let codec = avcodec_find_decoder(par.pointee.codec_id) else {
            throw FFmpegError("no decoder for \(name)", message: "codec not supported by this FFmpeg")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        try check(avcodec_parameters_to_context(ctx, par), "decoder parameters for \(name)")
        ctx.pointee.pkt_timebase = timeBase.av
        ctx.pointee.thread_count = threads // 0: one per core
        try check(avcodec_open2(ctx, codec, nil), "cannot open \(name) decoder")
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }

    /// Feeds one packet, or nil to drain. A broken packet is an error, as for any decoder.
    public func send(_ packet: Packet?) throws {
        let ret = avcodec_send_packet(context, packet?.pointer)
        if ret == dashcdn_averror_eof() { return }
        try check(ret, "cannot decode \(name)")
    }

    /// The next decoded frame into `frame`; false when the decoder needs more input or is drained.
    public func receive(into frame: Frame) throws -> Bool {
        frame.unref()
        let ret = avcodec_receive_frame(context, frame.pointer)
        if ret == dashcdn_averror_eagain() || ret == dashcdn_averror_eof() { return false }
        try check(ret, "cannot decode \(name)")
        return true
    }

    /// The cues in one packet of a text subtitle stream (mov_text, SubRip, ASS, WebVTT), which
    /// FFmpeg hands out in its ASS form whatever the source format.
    public func subtitles(in packet: Packet) throws -> [SubtitleCue] {
        var subtitle = AVSubtitle()
        var got: Int32 = 0
        try check(avcodec_decode_subtitle2(context, &subtitle, &got, packet.pointer), "cannot decode \(name)")
        guard got != 0 else { return [] }
        defer { avsubtitle_free(&subtitle) }
        let timeBase = Rational(context.pointee.pkt_timebase).double
        let base = Double(packet.pts) * timeBase
        let start = base + Double(subtitle.start_display_time) / 1000
        let end = subtitle.end_display_time > subtitle.start_display_time && subtitle.end_display_time != UInt32.max
            ? base + Double(subtitle.end_display_time) / 1000
            : base + Double(packet.duration) * timeBase
        return (0..<Int(subtitle.num_rects)).compactMap { index in
            guard let rect = subtitle.rects[index]?.pointee else { return nil }
            let text = rect.ass.map { String(cString: $0) } ?? rect.text.map { String(cString: $0) }
            return text.map { SubtitleCue(start: start, end: end, assText: $0) }
        }
    }
}
