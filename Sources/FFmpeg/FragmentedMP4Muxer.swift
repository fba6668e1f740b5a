import CFFmpeg

/// Owns libavformat's mp4 muxer set up for CMAF: one track, fragments cut only when asked
/// (`frag_custom`), the moov delayed until the encoder's first packets are known, and no trailer.
/// The init segment's edit list starts the presentation at the source's time 0: it cuts the AAC
/// encoder's priming samples and the B-frame reorder delay. Chromium's MSE and ffmpeg apply it
/// (measured), so players need no presentationTimeOffset to stay in sync, and the HLS playlists,
/// which cannot carry one, are in sync too.
/// Output goes to an in-memory buffer so that every fragment comes back as bytes that the
/// caller writes to its own file: the init segment first, then one media segment per flush.
public final class FragmentedMP4Muxer {
    private let context: UnsafeMutablePointer<AVFormatContext>
    private let stream: UnsafeMutablePointer<AVStream>
    private let encoderTimeBase: Rational
    private var initWritten = false

    public init(encoder: Encoder) throws {
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_alloc_output_context2(&ctx, nil, "mp4", nil), "mp4 muxer")
        context = ctx!
        do {
            stream = try addStream(to: context, from: encoder)
            encoderTimeBase = encoder.timeBase
            try check(avio_open_dyn_buf(&context.pointee.pb), "muxer buffer")
            var opts = dictionary([
                "movflags": "dash+cmaf+delay_moov+frag_custom+skip_trailer",
                "use_editlist": "1",
            ])
            defer { av_dict_free(&opts) }
            try check(avformat_write_header(context, &opts), "mp4 header")
        } catch {
            Self.release(context)
            throw error
        }
    }

    deinit { Self.release(context) }

    private static func release(_ ctx: UnsafeMutablePointer<AVFormatContext>) {
        if ctx.pointee.pb != nil {
            var buffer: UnsafeMutablePointer<UInt8>?
            avio_close_dyn_buf(ctx.pointee.pb, &buffer)
            av_free(buffer)
            ctx.pointee.pb = nil
        }
        avformat_free_context(ctx)
    }

    /// The track's time base (the mp4 timescale), known once the header is written.
    public var timeBase: Rational { Rational(stream.pointee.time_base) }

    /// Queues a packet (encoder time base) into the current fragment.
    public func write(_ packet: Packet) throws {
        try writePacket(packet, from: encoderTimeBase, to: stream, in: context, interleaved: false)
    }

    /// Closes the current fragment. Returns the init segment (only the first time) and the fragment.
    public func flushFragment() throws -> (initSegment: [UInt8]?, fragment: [UInt8]) {
        var initSegment: [UInt8]?
        if !initWritten {
            // With delay_moov the first flush writes ftyp+moov only; the samples stay queued.
            try check(av_write_frame(context, nil), "mp4 init segment")
            initSegment = try takeBytes()
            initWritten = true
        }
        try check(av_write_frame(context, nil), "mp4 fragment")
        return (initSegment, try takeBytes())
    }

    /// Writes the (skipped) trailer; the last fragment must have been flushed.
    public func finish() throws {
        try check(av_write_trailer(context), "mp4 trailer")
        _ = try takeBytes()
    }

    private func takeBytes() throws -> [UInt8] {
        var buffer: UnsafeMutablePointer<UInt8>?
        let size = avio_close_dyn_buf(context.pointee.pb, &buffer)
        context.pointee.pb = nil
        defer { av_free(buffer) }
        let bytes = buffer.map { Array(UnsafeBufferPointer(start: $0, count: Int(size))) } ?? []
        try check(avio_open_dyn_buf(&context.pointee.pb), "muxer buffer")
        return bytes
    }
}
