import CFFmpeg

/// Owns a demuxer (AVFormatContext) opened on a file or URL.
public final class InputFile {
    let context: UnsafeMutablePointer<AVFormatContext>
    public let path: String

    public init(path: String) throws {
        var ctx: UnsafeMutablePointer<AVFormatContext>?
        try check(avformat_open_input(&ctx, path, nil, nil), "cannot open \(path)")
        guard let opened = ctx else { throw FFmpegError("cannot open \(path)", message: "no context") }
        context = opened
        self.path = path
        do {
            try check(avformat_find_stream_info(context, nil), "cannot read stream info of \(path)")
        } catch {
            avformat_close_input(&ctx)
            throw error
        }
    }

    deinit {
        var ctx: UnsafeMutablePointer<AVFormatContext>? = context
        avformat_close_input(&ctx)
    }

    /// Container duration in seconds, when the container states one.
    public var durationSeconds: Double? {
        let d = context.pointee.duration
        return d > 0 && d != Packet.noTimestamp ? Double(d) / Double(AV_TIME_BASE) : nil
    }

    /// Every stream of the file, as `#index kind codec [language]` for a notice
    /// (`#2 audio ac3 fra`, `#3 subtitle mov_text eng`).
    public var streamSummaries: [(index: Int32, text: String)] {
        (0..<Int32(context.pointee.nb_streams)).map { index in
            let stream = context.pointee.streams[Int(index)]!.pointee
            let par = stream.codecpar!.pointee
            let kind = av_get_media_type_string(par.codec_type).map { String(cString: $0) } ?? "data"
            let language = av_dict_get(stream.metadata, "language", nil, 0).map { " " + String(cString: $0.pointee.value) } ?? ""
            return (index, "#\(index) \(kind) \(String(cString: avcodec_get_name(par.codec_id)))\(language)")
        }
    }

    /// Every stream of this type, in file order.
    public func streams(_ type: MediaType) -> [StreamInfo] {
        (0..<Int32(context.pointee.nb_streams)).filter {
            context.pointee.streams[Int($0)]!.pointee.codecpar.pointee.codec_type == type.av
        }.map(info)
    }

    /// The display matrix's turn, to the nearest quarter, as the ffmpeg CLI's autorotate reads it.
    private static func rotation(of stream: UnsafeMutablePointer<AVStream>) -> Int {
        guard let data = av_stream_get_side_data(stream, AV_PKT_DATA_DISPLAYMATRIX, nil) else { return 0 }
        let degrees = data.withMemoryRebound(to: Int32.self, capacity: 9) { av_display_rotation_get($0) }
        guard degrees.isFinite else { return 0 }
        // av_display_rotation_get is counter-clockwise; the turn that undoes it is clockwise.
        let quarter = Int((-degrees / 90).rounded())
        return ((quarter % 4 + 4) % 4) * 90
    }

    /// The stream FFmpeg would pick for this type, if any.
    public func bestStream(_ type: MediaType) -> StreamInfo? {
        let index = av_find_best_stream(context, type.av, -1, -1, nil, 0)
        return index >= 0 ? info(index) : nil
    }

    public func info(_ index: Int32) -> StreamInfo {
        let stream = context.pointee.streams[Int(index)]!.pointee
        let par = stream.codecpar!.pointee
        let isVideo = par.codec_type == AVMEDIA_TYPE_VIDEO
        var rate = Rational(stream.avg_frame_rate)
        if !rate.isValid { rate = Rational(stream.r_frame_rate) }
        var sar = Rational(par.sample_aspect_ratio)
        if !sar.isValid { sar = Rational(1, 1) }
        let tb = Rational(stream.time_base)
        let duration = stream.duration > 0 && stream.duration != Packet.noTimestamp
            ? Double(stream.duration) * tb.double : nil
        let language = av_dict_get(stream.metadata, "language", nil, 0).map { String(cString: $0.pointee.value) }
        return StreamInfo(
            index: index,
            type: isVideo ? .video : par.codec_type == AVMEDIA_TYPE_SUBTITLE ? .subtitle : .audio,
            codecName: String(cString: avcodec_get_name(par.codec_id)),
            timeBase: tb,
            startTime: stream.start_time == Packet.noTimestamp ? nil : stream.start_time,
            durationSeconds: duration,
            width: par.width, height: par.height,
            frameRate: rate, baseFrameRate: Rational(stream.r_frame_rate), sampleAspectRatio: sar, rotation: isVideo ? Self.rotation(of: context.pointee.streams[Int(index)]!) : 0,
            interlaced: isVideo && [AV_FIELD_TT, AV_FIELD_BB, AV_FIELD_TB, AV_FIELD_BT].contains(par.field_order),
            colour: ColourTags(primaries: Int32(par.color_primaries.rawValue), transfer: Int32(par.color_trc.rawValue),
                               matrix: Int32(par.color_space.rawValue), range: Int32(par.color_range.rawValue)),
            sampleRate: par.sample_rate, channels: par.ch_layout.nb_channels,
            language: language,
            isDefault: stream.disposition & AV_DISPOSITION_DEFAULT != 0)
    }

    /// Reads the next packet; false at the end of the input.
    public func read(into packet: Packet) throws -> Bool {
        packet.unref()
        let ret = av_read_frame(context, packet.pointer)
        if ret == dashcdn_averror_eof() { return false }
        try check(ret, "cannot read \(path)")
        return true
    }

    func codecParameters(_ index: Int32) -> UnsafeMutablePointer<AVCodecParameters> {
        context.pointee.streams[Int(index)]!.pointee.codecpar
    }
}
