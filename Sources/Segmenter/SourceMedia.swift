import FFmpeg
import Foundation

/// The movie being encoded: its video stream (required), its audio (optional), and one pass of
/// decoding that hands out frames with presentation times counted in frames from the start.
final class SourceMedia {
    let path: String
    let video: StreamInfo
    let audio: StreamInfo?
    let frameRate: Rational
    /// Seconds, from the container or the video stream; 0 when neither says.
    let duration: Double
    private let input: InputFile

    init(path: String) throws {
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
        audio = input.bestStream(.audio)
        let rate = video.frameRate
        frameRate = rate.isValid && rate.double <= 240 ? rate : Rational(25, 1)
        duration = input.durationSeconds ?? video.durationSeconds ?? 0
        if input.durationSeconds != nil || video.durationSeconds != nil, duration <= 0 {
            throw SegmenterError("\(path) has zero duration")
        }
    }

    /// The picture as displayed: the stored size, turned by the stream's rotation.
    var displayed: (width: Int, height: Int, sampleAspect: Double) {
        let sar = video.sampleAspectRatio.double
        if video.rotation % 180 == 90 { return (Int(video.height), Int(video.width), sar > 0 ? 1 / sar : 1) }
        return (Int(video.width), Int(video.height), sar)
    }

    /// The filter that turns a frame upright, for a stream whose display matrix says it is turned.
    private func upright(for frame: Frame) throws -> VideoFilter? {
        let turn: String
        switch video.rotation {
        case 90: turn = "transpose=clock"
        case 180: turn = "hflip,vflip"
        case 270: turn = "transpose=cclock"
        default: return nil
        }
        return try VideoFilter(turn, width: frame.width, height: frame.height, pixelFormat: frame.format,
                               timeBase: video.timeBase, sampleAspect: video.sampleAspectRatio)
    }

    /// Decodes everything once. `video` gets each frame with its pts in frames from the first
    /// frame (strictly increasing); `audio` gets decoded audio frames with their start in seconds
    /// from the video's start (nil when the frame has no timestamp). Returns the seconds of video.
    func decode(videoThreads: Int, video onVideo: (Frame, Int64) throws -> Void,
                audio onAudio: (Frame, Double?) throws -> Void) throws -> Double {
        let videoDecoder = try Decoder(input: input, stream: video, threads: videoThreads)
        let audioDecoder = try audio.map { try Decoder(input: input, stream: $0) }
        let packet = Packet()
        let frame = Frame()
        let frameTime = frameRate.inverted
        var firstTimestamp: Int64?
        var lastPts: Int64 = -1
        var upright: VideoFilter?

        func drainVideo() throws {
            while try videoDecoder.receive(into: frame) {
                var ts = frame.bestEffortTimestamp
                if ts == Packet.noTimestamp { ts = Rational.rescale(lastPts + 1, from: frameTime, to: video.timeBase) + (firstTimestamp ?? 0) }
                let first = firstTimestamp ?? ts
                firstTimestamp = first
                var pts = Rational.rescale(ts - first, from: video.timeBase, to: frameTime)
                if pts <= lastPts { pts = lastPts + 1 } // never repeat or go back: encoders refuse it
                lastPts = pts
                if video.rotation != 0 {
                    if upright == nil { upright = try self.upright(for: frame) }
                    if let upright { try onVideo(try upright.apply(frame), pts); continue }
                }
                try onVideo(frame, pts)
            }
        }
        func drainAudio() throws {
            guard let audioDecoder else { return }
            let videoStart = Double(video.startTime ?? 0) * video.timeBase.double
            while try audioDecoder.receive(into: frame) {
                let ts = frame.bestEffortTimestamp
                try onAudio(frame, ts == Packet.noTimestamp ? nil : Double(ts) * audio!.timeBase.double - videoStart)
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
                } else if let audioDecoder, packet.streamIndex == audio?.index {
                    try tolerate { try audioDecoder.send(packet) }
                    try drainAudio()
                }
            }
            try videoDecoder.send(nil)
            try drainVideo()
            try audioDecoder?.send(nil)
            try drainAudio()
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
