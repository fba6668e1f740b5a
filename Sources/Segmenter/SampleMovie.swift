import FFmpeg
import Foundation

/// The built-in test movie, drawn by libavfilter's sources and encoded with libavcodec: scenes of
/// very different complexity (a moving test pattern, a Mandelbrot zoom, a scrolling cellular
/// automaton that looks like noise, a still slide) so segment sizes vary as in real content, and
/// a stereo tone that changes pitch per scene. Deterministic: the same arguments give the same
/// frames (x264 is deterministic, the automaton has a fixed seed).
public struct SampleMovie: Sendable {
    public var output: String
    public var duration: Double
    public var width: Int
    public var height: Int
    public var fps: Int
    public static let sceneLength = 6.0

    public init(output: String, duration: Double = 60, width: Int = 1920, height: Int = 1080, fps: Int = 30) {
        self.output = output
        self.duration = duration
        self.width = width
        self.height = height
        self.fps = fps
    }

    /// `1920x1080` → (1920, 1080), even sizes only (4:2:0).
    public static func parseSize(_ text: String) throws -> (Int, Int) {
        let parts = text.lowercased().split(separator: "x")
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]),
              (32...7680).contains(w), (32...4320).contains(h), w % 2 == 0, h % 2 == 0 else {
            throw SegmenterError("bad size '\(text)': expected even WIDTHxHEIGHT between 32x32 and 7680x4320, e.g. 1920x1080")
        }
        return (w, h)
    }

    func validate() throws {
        guard duration > 0, duration <= 3600 else { throw SegmenterError("duration must be between 0 and 3600 seconds") }
        guard (1...120).contains(fps) else { throw SegmenterError("fps must be between 1 and 120") }
    }

    /// One scene a kind, cycling; each scene is trimmed to its length and brought to one format.
    func videoGraph() -> String {
        let size = "\(width)x\(height)"
        let sceneCount = Int((duration / Self.sceneLength).rounded(.up))
        var chains: [String] = []
        for i in 0..<sceneCount {
            let length = min(Self.sceneLength, duration - Double(i) * Self.sceneLength)
            let source: String
            switch i % 4 {
            case 0: source = "testsrc2=s=\(size):r=\(fps)"
            case 1:
                // Drawn small and scaled up: a full-size Mandelbrot costs far more than it shows.
                let small = "\(max(32, width / 4 / 2 * 2))x\(max(32, height / 4 / 2 * 2))"
                source = "mandelbrot=s=\(small):r=\(fps):start_scale=\(3.0 / Double(1 + i / 4)):end_scale=0.001,scale=\(size):flags=bicubic"
            case 2: source = "cellauto=s=\(size):r=\(fps):rule=\(30 + 60 * (i / 4 % 2)):random_fill_ratio=0.5:random_seed=\(i):scroll=1:full=1"
            default: source = "smptehdbars=s=\(size):r=\(fps)"
            }
            chains.append("\(source),trim=duration=\(length),setpts=PTS-STARTPTS,format=yuv420p,setsar=1[s\(i)]")
        }
        let inputs = (0..<sceneCount).map { "[s\($0)]" }.joined()
        return chains.joined(separator: ";") + ";\(inputs)concat=n=\(sceneCount):v=1:a=0,buffersink"
    }

    func audioGraph() -> String {
        let pitch = "(330+110*mod(floor(t/\(Self.sceneLength)),4))"
        // Quoted: the commas inside mod() would otherwise split the filter chain.
        return "aevalsrc=exprs='0.2*sin(2*PI*\(pitch)*t)|0.2*sin(2*PI*\(pitch)*1.5*t)':c=stereo:s=48000:d=\(duration),"
            + "aformat=sample_fmts=fltp:channel_layouts=stereo,abuffersink"
    }

    /// Writes the movie to a temporary name and renames it into place when complete.
    public func make(progress: ((Int, Int) -> Void)? = nil) throws {
        try validate()
        FFmpegLog.quiet()
        let final = URL(fileURLWithPath: output)
        let folder = final.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw SegmenterError("cannot write \(output): \(Publication.reason(error))")
        }
        let temporary = folder.appendingPathComponent(".\(final.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier).\(final.pathExtension)")
        do {
            try render(to: temporary.path, progress: progress)
            try Publication.rename(temporary, over: final)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            if let error = error as? FFmpegError { throw SegmenterError("cannot make the sample: \(error)") }
            throw error
        }
    }

    private func render(to path: String, progress: ((Int, Int) -> Void)?) throws {
        var videoSettings = VideoEncoderSettings(width: Int32(width), height: Int32(height),
                                                 timeBase: Rational(1, Int32(fps)), frameRate: Rational(Int32(fps), 1))
        videoSettings.gopSize = Int32(fps * 2)
        // A mezzanine: high quality, so the ladder's losses are the ladder's own.
        videoSettings.options = ["preset": "veryfast", "crf": "16"]
        let videoEncoder = try Encoder(video: videoSettings)
        let audioEncoder = try Encoder(audio: AudioEncoderSettings())
        let videoGraph = try FilterGraph(videoGraph())
        let audioGraph = try FilterGraph(audioGraph(), audioFrameSize: audioEncoder.frameSize)
        let muxer = try FileMuxer(path: path)
        let videoStream = try muxer.addStream(for: videoEncoder)
        let audioStream = try muxer.addStream(for: audioEncoder)
        try muxer.writeHeader()

        let frame = Frame()
        let packet = Packet()
        let totalFrames = Int((duration * Double(fps)).rounded())
        var videoFrames = 0
        var audioSamples: Int64 = 0
        var videoDone = false, audioDone = false
        func drain(_ encoder: Encoder, _ stream: Int) throws {
            while try encoder.receive(into: packet) {
                if packet.duration == 0 { packet.duration = stream == videoStream ? 1 : Int64(audioEncoder.frameSize) }
                try muxer.write(packet, stream: stream)
            }
        }
        // Interleave by time so the muxer never holds much.
        while !(videoDone && audioDone) {
            let videoTime = Double(videoFrames) / Double(fps)
            let audioTime = Double(audioSamples) / 48_000
            if !videoDone && (audioDone || videoTime <= audioTime) {
                if try videoGraph.pull(.video, into: frame) {
                    frame.pts = Int64(videoFrames)
                    frame.clearFrameType()
                    try videoEncoder.send(frame)
                    videoFrames += 1
                    progress?(videoFrames, totalFrames)
                } else {
                    try videoEncoder.send(nil)
                    videoDone = true
                }
                try drain(videoEncoder, videoStream)
            } else {
                if try audioGraph.pull(.audio, into: frame) {
                    frame.pts = audioSamples
                    audioSamples += Int64(frame.sampleCount)
                    try audioEncoder.send(frame)
                } else {
                    try audioEncoder.send(nil)
                    audioDone = true
                }
                try drain(audioEncoder, audioStream)
            }
        }
        try muxer.finish()
    }
}
