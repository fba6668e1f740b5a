import Foundation
import MPD
import Player
import TestSupport
import XCTest

/// What other packagers write, played live: the ffmpeg CLI's dash muxer in its template
/// ($Number$), timeline and single-file SegmentList forms, and SegmentBase with a sidx
/// (the on-demand profile's form) over the same single files.
final class PackagerFormsTests: XCTestCase {
    func testPlaysTheFFmpegCLIsDashFormsAndSegmentBase() async throws {
        let root = try Paths.temporaryFolder("packager-forms")
        let folder = root.appendingPathComponent("Manifests/ffmpeg")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let source = try EncodedLadder.root().appendingPathComponent("source.mp4").path
        let forms: [(name: String, options: [String])] = [
            ("number", ["-use_template", "1", "-use_timeline", "0"]),
            ("timeline", ["-use_template", "1", "-use_timeline", "1"]),
            ("list", ["-use_template", "0", "-single_file", "1", "-global_sidx", "1"]),
        ]
        for form in forms {
            let run = try runProcess("ffmpeg", ["-nostdin", "-v", "error", "-y", "-i", source,
                                                "-map", "0:v", "-map", "0:v", "-map", "0:a", "-c:v", "libx264", "-preset", "ultrafast",
                                                "-s:v:0", "160x90", "-b:v:0", "150k", "-b:v:1", "400k", "-c:a", "aac", "-b:a", "64k",
                                                "-g", "50", "-keyint_min", "50", "-sc_threshold", "0", "-seg_duration", "2",
                                                "-adaptation_sets", "id=0,streams=v id=1,streams=a"] + form.options
                                               + ["-f", "dash", folder.appendingPathComponent("\(form.name).mpd").path], timeout: 120)
            XCTAssertEqual(run.status, 0, run.stderr)
        }
        try writeSegmentBaseVariant(of: folder.appendingPathComponent("list.mpd"), to: folder.appendingPathComponent("base.mpd"))

        let origin = try PlaybackCDN.plainOrigin(root: root)
        defer { origin.stop() }
        let names = ["number", "timeline", "list", "base"]
        let urls = names.map { "http://127.0.0.1:\(origin.port)/manifests/ffmpeg/\($0).mpd" }
        // The reader sees four different addressing forms…
        for (name, url) in zip(names, urls) {
            let file = folder.appendingPathComponent("\(name).mpd")
            let presentation = try MPDParser.parse(try Data(contentsOf: file), url: URL(string: url)!)
            let addressing = presentation.periods[0].track(.video)!.representations[0].addressing
            switch (name, addressing) {
            case ("base", .indexed): break
            case ("base", _), (_, .indexed): XCTFail("\(name): unexpected addressing \(addressing)")
            default: break
            }
        }
        // …and the player plays every one to the end, video and audio.
        let reports = try await withThrowingTaskGroup(of: (String, LiveReport).self) { group in
            for (name, url) in zip(names, urls) {
                group.addTask { (name, try await SessionProbe().play(url, PlaySettings(maxBuffer: 10))) }
            }
            return try await group.reduce(into: [String: LiveReport]()) { $0[$1.0] = $1.1 }
        }
        for name in names {
            let report = try XCTUnwrap(reports[name])
            XCTAssertEqual(report.records.map(\.segment), Array(1...8), name)
            XCTAssertEqual(report.audioSegments, 8, name)
            XCTAssertEqual(report.summary.stalls, 0, name)
            XCTAssertTrue(report.records.allSatisfy { $0.bytes > 1000 }, "\(name): \(report.records.map(\.bytes))")
        }
        let listed = try XCTUnwrap(reports["list"]), indexed = try XCTUnwrap(reports["base"])
        XCTAssertEqual(listed.records.filter { $0.level == 0 }.map(\.bytes).first,
                       indexed.records.filter { $0.level == 0 }.map(\.bytes).first,
                       "SegmentList ranges and the sidx describe the same bytes")
    }

    /// The single-file MPD rewritten in the on-demand style: each SegmentList replaced by a
    /// SegmentBase whose ranges come from the file's own boxes (ftyp+moov, then sidx).
    private func writeSegmentBaseVariant(of list: URL, to output: URL) throws {
        var text = try String(contentsOf: list, encoding: .utf8)
        let pattern = try NSRegularExpression(pattern: "<BaseURL>([^<]+)</BaseURL>\\s*<SegmentList.*?</SegmentList>",
                                              options: [.dotMatchesLineSeparators])
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)).reversed() {
            let file = String(text[Range(match.range(at: 1), in: text)!])
            let boxes = try topLevelBoxes(list.deletingLastPathComponent().appendingPathComponent(file))
            let sidx = try XCTUnwrap(boxes.first { $0.type == "sidx" }, "ffmpeg wrote no sidx into \(file)")
            let replacement = "<BaseURL>\(file)</BaseURL><SegmentBase indexRange=\"\(sidx.offset)-\(sidx.offset + sidx.size - 1)\">"
                + "<Initialization range=\"0-\(sidx.offset - 1)\"/></SegmentBase>"
            text.replaceSubrange(Range(match.range, in: text)!, with: replacement)
        }
        try text.write(to: output, atomically: true, encoding: .utf8)
    }

    private func topLevelBoxes(_ url: URL) throws -> [(type: String, offset: Int, size: Int)] {
        let data = [UInt8](try Data(contentsOf: url))
        var boxes: [(type: String, offset: Int, size: Int)] = []
        var offset = 0
        while offset + 8 <= data.count {
            let size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            guard size >= 8 else { break }
            boxes.append((String(decoding: data[offset + 4..<offset + 8], as: UTF8.self), offset, size))
            offset += size
        }
        return boxes
    }
}
