import ArgumentParser
import Foundation
import Segmenter

struct EncodeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "encode",
        abstract: "Encode a movie into an aligned CMAF ladder with an MPEG-DASH manifest and HLS playlists.",
        discussion: """
        Decodes the input once and encodes every rung from the same frames (libswscale + libx264, AAC for audio), with a closed IDR at every segment start. Writes Media/<title>/<rep>/ (init segment, <n>.m4s, playlist.m3u8), Manifests/<title>.mpd, Manifests/<title>.m3u8 and Manifests/<title>.segments.json; nothing is published until all of it is complete.

        Examples:
          dashcdn encode Media/sample.mp4
          dashcdn encode movie.mkv --title movie --ladder 1280x720@2800k,640x360@800k --psnr
          dashcdn encode movie.mp4 --subtitles movie.fra.srt --subtitles extra.vtt:pt-BR
        """)

    @Argument(help: "Any file FFmpeg can read.")
    var input: String

    @Option(help: "Name of the output (default: the input's base name).")
    var title: String?

    @Option(help: "'default' (240p-1080p, 5 rungs) or WIDTHxHEIGHT@KBPS,… e.g. 1280x720@2800k,640x360@800k.")
    var ladder = "default"

    @Option(help: "Segment duration in seconds.")
    var segmentDuration: Double = 4

    @Option(help: "x264 preset (ultrafast … veryslow).")
    var preset = "veryfast"

    @Option(help: "Folder holding Media/ and Manifests/.")
    var root = "."

    @Flag(help: "Measure each rung's PSNR against its scaled input.")
    var psnr = false

    @Option(help: "x264 threads for every rung, 0 to let x264 decide (default: shared out by each rung's pixels).")
    var threads: Int?

    @Option(help: "Audio tracks to carry: all, main, or languages such as eng,fra.")
    var audio = "all"

    @Option(help: ArgumentHelp("A subtitle file to carry (SubRip, WebVTT, ASS), its times from the first picture; repeatable.",
                               valueName: "file[:lang]"))
    var subtitles: [String] = []

    @Flag(help: "Fail instead of dropping any of the source's streams (audio not chosen with --audio, subtitles, data).")
    var strict = false

    func validate() throws {
        _ = try Ladder.parse(ladder)
        if let threads, threads < 0 { throw ValidationError("--threads must be 0 or more") }
        _ = try subtitles.map(SubtitleFile.parse)
    }

    func run() throws {
        var request = EncodeRequest(
            input: input, title: title ?? EncodeRequest.defaultTitle(for: input),
            ladder: try Ladder.parse(ladder), segmentDuration: segmentDuration, preset: preset,
            root: URL(fileURLWithPath: root), reportPSNR: psnr)
        request.threadsPerRung = threads
        request.strict = strict
        request.audio = audio
        request.subtitleFiles = try subtitles.map(SubtitleFile.parse)
        cleanUpAndExitOnInterrupt("\ndashcdn: interrupted; partial output removed") { PartialOutputs.shared.discardAll() }
        let report = try LadderEncoder.run(request, log: note) { frames, fps in
            ProgressReporter(totalFrames: frames, frameRate: fps)
        }
        print(report.table())
        print(String(format: "encode: %.1f s of media in %.1f s (%.2fx real time)",
                     report.durationSeconds, report.wallSeconds, report.durationSeconds / max(report.wallSeconds, 0.001)))
        print("manifest: \(report.manifest)")
        print("playlist: \(report.playlist)")
        print("segments: \(report.segmentTable)")
        print("media:    \(report.mediaFolder)")
    }
}
