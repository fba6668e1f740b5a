import Foundation
import MPD
import Segmenter
import TestSupport

/// One short sample, encoded once for all the tests that inspect a ladder: 9 s of 480x270 at
/// 30 fps with stereo audio, three rungs, 2-second segments (so four full segments and a short one).
struct EncodedFixture {
    static let segmentDuration = 2.0
    static let fps = 30
    static let seconds = 9.0
    static let ladder = "192x108@150k,320x180@300k,480x270@600k"

    let root: URL
    let source: URL
    let report: EncodeReport
    let mpdText: String

    var media: URL { root.appendingPathComponent("Media/fixture") }
    var manifest: URL { root.appendingPathComponent("Manifests/fixture.mpd") }
    var table: URL { root.appendingPathComponent("Manifests/fixture.segments.json") }
    var videoIDs: [String] { ["108p", "180p", "270p"] }

    func segments(_ rep: String) throws -> [URL] {
        let files = try FileManager.default.contentsOfDirectory(atPath: media.appendingPathComponent(rep).path)
        let numbers = files.filter { $0.hasSuffix(".m4s") }.compactMap { Int($0.dropLast(4)) }.sorted()
        return numbers.map { media.appendingPathComponent(rep).appendingPathComponent("\($0).m4s") }
    }

    /// `init.m4a` for audio, `init.mp4` for video.
    func initSegment(_ rep: String) -> URL {
        let folder = media.appendingPathComponent(rep)
        let audio = folder.appendingPathComponent("init.m4a")
        return FileManager.default.fileExists(atPath: audio.path) ? audio : folder.appendingPathComponent("init.mp4")
    }

    /// init + every segment, as one file a decoder can read.
    func concatenated(_ rep: String) throws -> URL {
        var data = try Data(contentsOf: initSegment(rep))
        for segment in try segments(rep) { data.append(try Data(contentsOf: segment)) }
        let out = root.appendingPathComponent("\(rep)-whole.mp4")
        try data.write(to: out)
        return out
    }

    static let shared: Result<EncodedFixture, Error> = Result {
        let root = try Paths.temporaryFolder("fixture")
        let source = root.appendingPathComponent("source.mp4")
        try SampleMovie(output: source.path, duration: seconds, width: 480, height: 270, fps: fps).make()
        let request = EncodeRequest(input: source.path, title: "fixture", ladder: try Ladder.parse(ladder),
                                    segmentDuration: segmentDuration, root: root)
        let report = try LadderEncoder.run(request, log: { _ in })
        let text = try String(contentsOf: root.appendingPathComponent("Manifests/fixture.mpd"), encoding: .utf8)
        return EncodedFixture(root: root, source: source, report: report, mpdText: text)
    }

    /// The value of `attribute` on every element named `element` in the MPD, in order.
    func attribute(_ attribute: String, of element: String) -> [String] {
        let pattern = "<\(element)\\b[^>]*\\s\(attribute)=\"([^\"]*)\""
        let regex = try! NSRegularExpression(pattern: pattern)
        let range = NSRange(mpdText.startIndex..., in: mpdText)
        return regex.matches(in: mpdText, range: range).map { String(mpdText[Range($0.range(at: 1), in: mpdText)!]) }
    }
}

/// The init segment and every numbered segment of a representation's folder, joined into one
/// file a decoder can read (beside the folder, named after it).
func joinedRepresentation(_ folder: URL) throws -> URL {
    let audioInit = folder.appendingPathComponent("init.m4a")
    let initSegment = FileManager.default.fileExists(atPath: audioInit.path) ? audioInit : folder.appendingPathComponent("init.mp4")
    var data = try Data(contentsOf: initSegment)
    let numbers = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        .filter { $0.hasSuffix(".m4s") }.compactMap { Int($0.dropLast(4)) }.sorted()
    for number in numbers { data.append(try Data(contentsOf: folder.appendingPathComponent("\(number).m4s"))) }
    let out = folder.deletingLastPathComponent().appendingPathComponent("joined-\(folder.lastPathComponent).mp4")
    try data.write(to: out)
    return out
}

/// Where each sound starts after a silence (silencedetect at -40 dB, 0.3 s), in seconds, as ffmpeg
/// decodes the first audio stream of `input` (a file or URL). `copyTimestamps` keeps the times the
/// file gives (an edit list's priming before 0) instead of starting the output at 0.
func toneStarts(_ input: String, copyTimestamps: Bool = false) throws -> [Double] {
    let run = try runProcess("ffmpeg", ["-v", "info"] + (copyTimestamps ? ["-copyts"] : []) + [
        "-i", input, "-map", "0:a:0", "-af", "silencedetect=n=-40dB:d=0.3", "-f", "null", "-"], timeout: 60)
    return run.stderr.components(separatedBy: "silence_end: ").dropFirst()
        .compactMap { Double($0.prefix { !$0.isWhitespace }) }
}
