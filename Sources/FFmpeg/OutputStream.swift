import CFFmpeg

/// Adds a stream to an output context carrying an opened encoder's parameters.
func addStream(to ctx: UnsafeMutablePointer<AVFormatContext>, from encoder: Encoder) throws -> UnsafeMutablePointer<AVStream> {
    guard let stream = avformat_new_stream(ctx, nil) else {
        throw FFmpegError("output stream", message: "out of memory")
    }
    try check(avcodec_parameters_from_context(stream.pointee.codecpar, encoder.context), "output stream parameters")
    stream.pointee.time_base = encoder.context.pointee.time_base
    return stream
}

/// Writes one encoder packet, moving its timestamps from the encoder's to the stream's time base.
func writePacket(_ packet: Packet, from encoderTimeBase: Rational, to stream: UnsafeMutablePointer<AVStream>,
                 in ctx: UnsafeMutablePointer<AVFormatContext>, interleaved: Bool) throws {
    packet.streamIndex = stream.pointee.index
    av_packet_rescale_ts(packet.pointer, encoderTimeBase.av, stream.pointee.time_base)
    let ret = interleaved ? av_interleaved_write_frame(ctx, packet.pointer) : av_write_frame(ctx, packet.pointer)
    try check(ret, "writing packet")
}

func dictionary(_ options: [String: String]) -> OpaquePointer? {
    var dict: OpaquePointer?
    for (key, value) in options { av_dict_set(&dict, key, value, 0) }
    return dict
}
