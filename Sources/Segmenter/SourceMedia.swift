import FFmpeg
import Foundation

/// The movie being encoded: its video stream (required), its audio (optional), and one pass of
/// decoding that hands out frames with presentation times counted in frames from the start.
final class SourceMedia {
    let path: String
    let video: StreamInfo
    /// The audio tracks carried, the main one (the container's default, or FFmpeg's pick) first.
    let audioTracks: [StreamInfo]
    var audio: StreamInfo? { audioTracks.first }
    /// The text subtitle tracks carried (as WebVTT), in file order.
    let subtitleTracks: [StreamInfo]
    /// The constant rate of the output: every picture sits on a slot of this grid.
    let frameRate: Rational
    /// The source's frame rate varies; `frameRate` is its base rate.
    let variableRate: Bool
    /// Seconds, from the container or the video stream; 0 when neither says.
    let duration: Double
    private let input: InputFile

    /// `audio`: which audio tracks to carry: `all`, `main`, or languages (`eng,fra`).
    init(path: String, audio selection: String = "all") throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SegmenterError("cannot open \(path): no such file")
        }
        guard !isDirectory.boolValue else { throw SegmenterError("cannot open \(path): it is a folder") }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SegmenterError("cannot open \(path): permission denied")
        }
        do {
            input = try InputFile(path: path)
        } catch let error as FFmpegError {
            throw SegmenterError("cannot read \(path) as media: \(error.message)")
        }
        guard let video = input.bestStream(.video), video.width > 0, video.height > 0 else {
            throw SegmenterError("no video stream in \(path)")
        }
        self.video = video
        audioTracks = try Self.select(selection, from: input)
        subtitleTracks = input.streams(.subtitle).filter { WebVTT.textCodecs.contains($0.codecName) }
        let rate = video.frameRate
        let base = video.baseFrameRate
        // A variable rate (an average below the base rate every timestamp fits) is put on a grid
        // at the base rate, as the fps filter does; frames keep their times.
        // (A base rate of exactly twice the average is field-rate timing of constant-rate video.)
        variableRate = base.isValid && rate.isValid && base.double <= 60 && base.double > rate.double * 1.01
            && abs(base.double / rate.double - 2) > 0.01
        frameRate = variableRate ? base : Self.nominalRate(average: rate, base: base)
        duration = input.durationSeconds ?? video.durationSeconds ?? 0
        if input.durationSeconds != nil || video.durationSeconds != nil, duration <= 0 {
            throw SegmenterError("\(path) has zero duration")
        }
    }

    /// The rates cameras, broadcast and film use.
    static let standardRates = [Rational(24000, 1001), Rational(24, 1), Rational(25, 1), Rational(30000, 1001), Rational(30, 1),
                                Rational(48, 1), Rational(50, 1), Rational(60000, 1001), Rational(60, 1)]

    /// A constant rate as its makers meant it: an average computed over a duration that lost a
    /// few microseconds (a looped or cut file: 530841600/22118401 for 24) is the base rate, or
    /// the standard rate it rounds to; otherwise the average as it is.
    static func nominalRate(average: Rational, base: Rational) -> Rational {
        guard average.isValid, average.double <= 240 else { return Rational(25, 1) }
        func near(_ candidate: Rational, within tolerance: Double) -> Bool {
            candidate.isValid && abs(candidate.double / average.double - 1) < tolerance
        }
        if near(base, within: 0.0002), base.double <= 240 { return base }
        return standardRates.first { near($0, within: 0.0002) } ?? average
    }

    /// The streams that are not carried into the output, described for a notice.
    var droppedStreams: [String] {
        let carried = Set([video.index] + audioTracks.map(\.index) + subtitleTracks.map(\.index))
        return input.streamSummaries.filter { !carried.contains($0.index) }.map(\.text)
    }

    private static func select(_ selection: String, from input: InputFile) throws -> [StreamInfo] {
        let all = input.streams(.audio).filter { $0.sampleRate > 0 && $0.channels > 0 }
        guard let main = all.first(where: \.isDefault) ?? input.bestStream(.audio) ?? all.first else { return [] }
        let ordered = [main] + all.filter { $0.index != main.index }
        switch selection {
        case "all": return ordered
        case "main": return [main]
        default:
            let wanted = selection.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let chosen = ordered.filter { wanted.contains($0.languageCode) }
            guard !chosen.isEmpty else {
                let languages = ordered.map { $0.language ?? "und" }.joined(separator: ", ")
                throw SegmenterError("--audio \(selection): no audio track in that language (the source has: \(languages))")
            }
            return chosen
        }
    }

    /// Seconds on the source's timeline where the video starts (its zero in the output).
    var videoStart: Double { Double(video.startTime ?? 0) * video.timeBase.double }

    /// The picture as displayed: the stored size, turned by the stream's rotation.
    var displayed: (width: Int, height: Int, sampleAspect: Double) {
        let sar = video.sampleAspectRatio.double
        if video.rotation % 180 == 90 { return (Int(video.height), Int(video.width), sar > 0 ? 1 / sar : 1) }
        return (Int(video.width), Int(video.height), sar)
    }

    /// Pictures repeated into empty slots of the grid, and dropped from slots already taken.
    private(set) var repeated = 0
    private(set) var dropped = 0

    /// Slots beyond which a timestamp jump is a discontinuity: 10 seconds.
    private static func discontinuity(_ rate: Rational) -> Int64 { Int64((rate.double * 10).rounded()) }

    /// The colour the output carries: BT.709 after tone mapping an HDR source, or for one that
    /// does not say; otherwise the source's own (a BT.601 SD source stays BT.601).
    var outputColour: ColourTags {
        video.colour.isHDR || !video.colour.isComplete ? .bt709
            : ColourTags(primaries: video.colour.primaries, transfer: video.colour.transfer, matrix: video.colour.matrix,
                         range: ColourTags.bt709.range)
    }

    /// The source was found interlaced while decoding (its field order, or its first picture's
    /// flag), and deinterlaced before scaling.
    private(set) var deinterlaced = false

    /// What the pictures need before scaling: fields woven into frames (bwdif, one frame per
    /// frame, as the ffmpeg CLI's `-vf bwdif` does), then a turn to upright. Nil when neither.
    private func pictureFilter(for frame: Frame, timeBase: Rational) throws -> VideoFilter? {
        var steps: [String] = []
        if video.interlaced || frame.isInterlaced {
            steps.append("bwdif=mode=send_frame:parity=auto:deint=all")
            deinterlaced = true
        }
        if video.colour.isHDR {
            // To linear light (100 nits as SDR white), BT.709 primaries, Möbius tone mapping
            // (values an SDR display can show stay as they are, highlights roll off), then
            // BT.709 transfer and matrix, limited range, 8 bits.
            steps.append("zscale=t=linear:npl=100,format=gbrpf32le,zscale=p=bt709,tonemap=tonemap=mobius:desat=0,"
                         + "zscale=t=bt709:m=bt709:r=tv,format=yuv420p")
        }
        switch video.rotation {
        case 90: steps.append("transpose=clock")
        case 180: steps.append("hflip,vflip")
        case 270: steps.append("transpose=cclock")
        default: break
        }
        guard !steps.isEmpty else { return nil }
        return try VideoFilter(steps.joined(separator: ","), width: frame.width, height: frame.height,
                               pixelFormat: frame.format, timeBase: timeBase, sampleAspect: video.sampleAspectRatio)
    }

    /// Decodes everything once. `video` gets each frame with its pts in frames from the first
    /// frame (strictly increasing); `audio` gets decoded audio frames with their start in seconds
    /// from the video's start (nil when the frame has no timestamp). Returns the seconds of video.
    func decode(videoThreads: Int, video onVideo: (Frame, Int64) throws -> Void,
                audio onAudio: (_ track: Int, Frame, Double?) throws -> Void,
                subtitles onCues: (_ track: Int, [SubtitleCue]) throws -> Void = { _, _ in }) throws -> Double {
        let videoDecoder = try Decoder(input: input, stream: video, threads: videoThreads)
        let audioDecoders = try audioTracks.map { try Decoder(input: input, stream: $0) }
        let subtitleDecoders = try subtitleTracks.map { try Decoder(input: input, stream: $0) }
        let packet = Packet()
        let frame = Frame()
        let frameTime = frameRate.inverted
        var firstTimestamp: Int64?
        var lastPts: Int64 = -1
        var pictures: VideoFilter?
        var filterChosen = false
        var previous: Frame?

        /// Hands a decoded picture on, through the picture filter when it needs one; nil flushes.
        func deliver(_ picture: Frame?, pts: Int64) throws {
            if !filterChosen, let picture {
                filterChosen = true
                pictures = try pictureFilter(for: picture, timeBase: frameTime)
            }
            guard let pictures else {
                if let picture { try onVideo(picture, pts) }
                return
            }
            picture?.pts = pts
            for out in try pictures.filter(picture) { try onVideo(out, out.pts) }
        }

        func drainVideo() throws {
            while try videoDecoder.receive(into: frame) {
                var ts = frame.bestEffortTimestamp
                if ts == Packet.noTimestamp { ts = Rational.rescale(lastPts + 1, from: frameTime, to: video.timeBase) + (firstTimestamp ?? 0) }
                let first = firstTimestamp ?? ts
                firstTimestamp = first
                let slot = Rational.rescale(ts - first, from: video.timeBase, to: frameTime)
                // As the fps filter does: a picture keeps its time on the grid; one that lands on
                // a slot already taken is dropped, an empty slot repeats the picture before it.
                // A jump of more than a few seconds either way is a discontinuity in the source's
                // timestamps, not its timing: the picture just follows the one before.
                let pts = abs(slot - lastPts) > Self.discontinuity(frameRate) ? lastPts + 1 : slot
                if pts <= lastPts { dropped += 1; continue }
                if let previous, pts > lastPts + 1 {
                    for filler in (lastPts + 1)..<pts { try deliver(previous, pts: filler) }
                    repeated += Int(pts - lastPts - 1)
                }
                lastPts = pts
                try deliver(frame, pts: pts)
                previous = try frame.reference()
            }
        }
        func drainAudio(_ track: Int) throws {
            let timeBase = audioTracks[track].timeBase.double
            while try audioDecoders[track].receive(into: frame) {
                let ts = frame.bestEffortTimestamp
                try onAudio(track, frame, ts == Packet.noTimestamp ? nil : Double(ts) * timeBase - videoStart)
            }
        }

        // A corrupt packet is skipped, as players and the ffmpeg CLI do; many of them mean the
        // file is damaged, and a file cut short is caught by checkComplete afterwards.
        var packets = 0
        var corrupt = 0
        func tolerate(_ body: () throws -> Void) throws {
            do { try body() } catch let error as FFmpegError where error.code == FFmpegError.invalidDataCode {
                corrupt += 1
                if corrupt > max(10, packets / 100) { throw error }
            }
        }
        do {
            while try input.read(into: packet) {
                packets += 1
                if packet.streamIndex == video.index {
                    try tolerate { try videoDecoder.send(packet) }
                    try drainVideo()
                } else if let track = audioTracks.firstIndex(where: { $0.index == packet.streamIndex }) {
                    try tolerate { try audioDecoders[track].send(packet) }
                    try drainAudio(track)
                } else if let track = subtitleTracks.firstIndex(where: { $0.index == packet.streamIndex }) {
                    try tolerate { try onCues(track, try subtitleDecoders[track].subtitles(in: packet)) }
                }
            }
            try videoDecoder.send(nil)
            try drainVideo()
            try deliver(nil, pts: 0)
            for track in audioTracks.indices {
                try audioDecoders[track].send(nil)
                try drainAudio(track)
            }
        } catch let error as FFmpegError {
            throw SegmenterError("\(path) is damaged: \(error.description)")
        }
        guard lastPts >= 0 else { throw SegmenterError("no video frames could be decoded from \(path)") }
        return Double(lastPts + 1) * frameTime.double
    }

    /// A file that ends well before the duration its header promises was cut short.
    func checkComplete(decodedSeconds: Double) throws {
        guard duration > 0 else { return }
        if decodedSeconds < duration * 0.97 - 0.5 {
            throw SegmenterError(String(format: "%@ is truncated: only %.1f s of its %.1f s could be decoded",
                                        path, decodedSeconds, duration))
        }
    }
}
