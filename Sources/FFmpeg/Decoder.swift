import CFFmpeg

/// Owns a decoder (AVCodecContext) for one stream of an InputFile.
public final class Decoder {
    let context: UnsafeMutablePointer<AVCodecContext>
    public let stream: StreamInfo

    public init(input: InputFile, stream: StreamInfo) throws {
        let par = input.codecParameters(stream.index)
        guard let codec = avcodec_find_decoder(par.pointee.codec_id) else {
            throw FFmpegError("no decoder for \(stream.codecName)", message: "codec not supported by this FFmpeg")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { fatalError("avcodec_alloc_context3: out of memory") }
        context = ctx
        self.stream = stream
        try check(avcodec_parameters_to_context(ctx, par), "decoder parameters for \(stream.codecName)")
        ctx.pointee.pkt_timebase = stream.timeBase.av
        ctx.pointee.thread_count = 0 // one per core
        try check(avcodec_open2(ctx, codec, nil), "cannot open \(stream.codecName) decoder")
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&ctx)
    }

    /// Feeds one packet, or nil to drain. A broken packet is an error, as for any decoder.
    public func send(_ packet: Packet?) throws {
        let ret = avcodec_send_packet(context, packet?.pointer)
        if ret == dashcdn_averror_eof() { return }
        try check(ret, "cannot decode \(stream.codecName)")
    }

    /// The next decoded frame into `frame`; false when the decoder needs more input or is drained.
    public func receive(into frame: Frame) throws -> Bool {
        frame.unref()
        let ret = avcodec_receive_frame(context, frame.pointer)
        if ret == dashcdn_averror_eagain() || ret == dashcdn_averror_eof() { return false }
        try check(ret, "cannot decode \(stream.codecName)")
        return true
    }
}
