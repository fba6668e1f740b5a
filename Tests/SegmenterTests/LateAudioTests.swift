import Foundation
import TestSupport
import XCTest

/// A source whose sound starts 1.5 s after its picture: the sound must stay 1.5 s in.
final class LateAudioTests: XCTestCase {
    func testAudioThatStartsLateKeepsItsPlaceAgainstThePicture() throws {
        let root = try Paths.temporaryFolder("late-audio")
        let source = root.appendingPathComponent("late.mp4").path
        let made = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=6",
                                             "-itsoffset", "1.5", "-f", "lavfi", "-i", "sine=frequency=440:duration=4.5",
                                             "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        let encode = try dashcdn(["encode", source, "--root", root.path, "--title", "late", "--ladder", "320x180@300k"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertTrue(encode.stderr.contains("of silence put where the source's sound starts late"), encode.stderr)

        // Where the tone starts in our audio, on the presentation timeline (-copyts keeps the
        // times the init segment's edit list gives, its priming samples before 0).
        let whole = try joinedRepresentation(root.appendingPathComponent("Media/late/audio"))
        let silenceEnd = try XCTUnwrap(toneStarts(whole.path, copyTimestamps: true).first)
        XCTAssertEqual(silenceEnd, 1.5, accuracy: 1024.0 / 48000, "the tone starts where the source put it")
    }
}
