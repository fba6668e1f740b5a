import Foundation
import TestSupport
import XCTest

/// Every input a user can get wrong: one clear line on stderr, a non-zero exit, and nothing
/// published or half-written under the output root.
final class BadInputTests: XCTestCase {
    var fixture: EncodedFixture!
    var work: URL!

    override func setUpWithError() throws {
        fixture = try EncodedFixture.shared.get()
        work = try Paths.temporaryFolder("bad-\(name.filter { $0.isLetter })")
    }

    /// Runs `dashcdn encode` into a fresh root and checks the failure contract.
    @discardableResult
    private func expectFailure(_ input: String, _ extra: [String] = [], root: URL? = nil, mentions: String,
                               file: StaticString = #filePath, line: UInt = #line) throws -> Run {
        let outRoot = root ?? work.appendingPathComponent("out")
        let result = try dashcdn(["encode", input, "--title", "t", "--root", outRoot.path, "--segment-duration", "2"] + extra)
        XCTAssertNotEqual(result.status, 0, "expected failure", file: file, line: line)
        // Notices (a dropped rung) may come first; the error is one line, and the last.
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.filter { $0.contains("error") }.count, 1, "stderr: \(result.stderr)", file: file, line: line)
        XCTAssertTrue(lines.last?.hasPrefix("dashcdn: error: ") ?? false, result.stderr, file: file, line: line)
        XCTAssertTrue(result.stderr.localizedCaseInsensitiveContains(mentions), "'\(mentions)' not in: \(result.stderr)",
                      file: file, line: line)
        if root == nil { assertNothingLeft(outRoot, file: file, line: line) }
        return result
    }

    private func assertNothingLeft(_ root: URL, file: StaticString = #filePath, line: UInt = #line) {
        for folder in ["Media", "Manifests"] {
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
            XCTAssertEqual(entries, [], "left behind in \(folder)", file: file, line: line)
        }
    }

    func testMissingFile() throws {
        try expectFailure(work.appendingPathComponent("nope.mp4").path, mentions: "no such file")
    }

    func testFileThatIsNotMedia() throws {
        let text = work.appendingPathComponent("notes.mp4")
        try Data("this is not a movie\n".utf8).write(to: text)
        try expectFailure(text.path, mentions: "cannot read")
    }

    func testEmptyFile() throws {
        let empty = work.appendingPathComponent("empty.mp4")
        try Data().write(to: empty)
        try expectFailure(empty.path, mentions: "cannot read")
    }

    func testTruncatedFileWithIndexAtTheEnd() throws {
        let data = try Data(contentsOf: fixture.source)
        let cut = work.appendingPathComponent("cut.mp4")
        try data.prefix(data.count / 2).write(to: cut)
        try expectFailure(cut.path, mentions: "cannot read")
    }

    func testTruncatedFileWithIndexAtTheStart() throws {
        let faststart = work.appendingPathComponent("faststart.mp4")
        let remux = try runProcess("ffmpeg", ["-v", "error", "-y", "-i", fixture.source.path, "-c", "copy",
                                       "-movflags", "+faststart", faststart.path])
        XCTAssertEqual(remux.status, 0, remux.stderr)
        let data = try Data(contentsOf: faststart)
        let cut = work.appendingPathComponent("cut.mp4")
        try data.prefix(data.count / 2).write(to: cut)
        try expectFailure(cut.path, mentions: "truncated")
    }

    func testFileWithNoVideo() throws {
        let audioOnly = work.appendingPathComponent("tone.m4a")
        let make = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "sine=d=2", "-c:a", "aac", audioOnly.path])
        XCTAssertEqual(make.status, 0, make.stderr)
        try expectFailure(audioOnly.path, mentions: "no video stream")
    }

    func testFileWithNoFrames() throws {
        let none = work.appendingPathComponent("zero.mp4")
        let make = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=64x64:d=1", "-frames:v", "0",
                                      "-c:v", "libx264", none.path])
        XCTAssertEqual(make.status, 0, make.stderr)
        // The muxer keeps no stream without frames: to a reader that is a file with no video.
        try expectFailure(none.path, mentions: "no video")
    }

    func testMalformedLadder() throws {
        for spec in ["1280x720", "1280x@800k", "axb@1k", "640x360@-5k", "640x360@800k,,", ""] {
            try expectFailure(fixture.source.path, ["--ladder", spec], mentions: "ladder")
        }
    }

    func testEveryRungAboveTheSource() throws {
        try expectFailure(fixture.source.path, ["--ladder", "1280x720@2800k,1920x1080@5000k"], mentions: "no ladder rung fits")
    }

    func testOutputFolderThatCannotBeWritten() throws {
        let blocker = work.appendingPathComponent("a-file")
        try Data("x".utf8).write(to: blocker)
        try expectFailure(fixture.source.path, root: blocker.appendingPathComponent("root"), mentions: "is a file, not a folder")
    }

    func testBadTitle() throws {
        let result = try dashcdn(["encode", fixture.source.path, "--title", "../escape", "--root", work.path])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("bad title"), result.stderr)
        assertNothingLeft(work)
    }

    func testAFailedEncodeKeepsThePreviouslyPublishedTitle() throws {
        let root = work.appendingPathComponent("keep")
        let good = try dashcdn(["encode", fixture.source.path, "--title", "t", "--root", root.path,
                                "--ladder", "192x108@150k", "--segment-duration", "2"])
        XCTAssertEqual(good.status, 0, good.stderr)
        let manifest = root.appendingPathComponent("Manifests/t.mpd")
        let before = try Data(contentsOf: manifest)
        try expectFailure(work.appendingPathComponent("missing.mp4").path, root: root, mentions: "no such file")
        XCTAssertEqual(try Data(contentsOf: manifest), before)
        let media = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Media").path)
        XCTAssertEqual(media, ["t"])
    }
}
