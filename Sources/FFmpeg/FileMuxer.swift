import CFFmpeg

/// Owns a muxer writing several encoders' packets, interleaved, to one file (format from the name).
public final class FileMuxer {
    private let context: UnsafeMutablePointer<AVFormatContext>
    private var streams: [(stream: UnsafeMutablePointer<AVStream>, timeBase: Rational)] = []
    private var headerWritten = false
    private var ioOpen = false
    public let path: String

    public init(path: String) throws {
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_alloc_output_context2(&ctx, nil, nil, path), "cannot choose a format for \(path)")
        context = ctx!
        self.path = path
    }

    deinit {
        if ioOpen { avio_closep(&context.pointee.pb) }
        avformat_free_context(context)
    }

    /// Adds a stream for `encoder`; returns its index for `write(_:stream:)`.
    public func addStream(for encoder: Encoder) throws -> Int {
        let stream = try FFmpeg.addStream(to: context, from: encoder)
        streams.append((stream, encoder.timeBase))
        return streams.count - 1
    }

    public func writeHeader() throws {
        try check(avio_open(&context.pointee.pb, path, AVIO_FLAG_WRITE), "cannot write \(path)")
        ioOpen = true
        try check(avformat_write_header(context, nil), "cannot write header of \(path)")
        headerWritten = true
    }

    public func write(_ packet: Packet, stream index: Int) throws {
        let (stream, tb) = streams[index]
        try writePacket(packet, from: tb, to: stream, in: context, interleaved: true)
    }

    public func finish() throws {
        try check(av_write_trailer(context), "cannot finish \(path)")
        avio_closep(&context.pointee.pb)
        ioOpen = false
    }
}
