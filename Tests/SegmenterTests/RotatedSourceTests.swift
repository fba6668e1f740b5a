import Foundation
import TestSupport
import XCTest

/// Phone video: stored sideways with a display matrix that says how to turn it. The ladder must
/// come out upright, portrait, sized by its short side, as the ffmpeg CLI (autorotate) shows it.
final class RotatedSourceTests: XCTestCase {
    func testARotatedSourceGivesAnUprightPortraitLadder() throws {
        let root = try Paths.temporaryFolder("rotated")
        let plain = root.appendingPathComponent("plain.mp4").path
        let rotated = root.appendingPathComponent("phone.mp4").path
        // A landscape picture whose display matrix turns it a quarter (what phones write).
        let made = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=3",
                                             "-f", "lavfi", "-i", "sine=frequency=440:duration=3", "-c:v", "libx264",
                                             "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest", plain])
        XCTAssertEqual(made.status, 0, made.stderr)
        let tagged = try runProcess("ffmpeg", ["-v", "error", "-y", "-i", plain, "-c", "copy", "-metadata:s:v:0", "rotate=90", rotated])
        XCTAssertEqual(tagged.status, 0, tagged.stderr)

        let encode = try dashcdn(["encode", rotated, "--root", root.path, "--title", "phone",
                                  "--ladder", "90x160@150k,180x320@300k"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertTrue(encode.stderr.contains("notice: turning the picture"), encode.stderr)
        let mpd = try String(contentsOf: root.appendingPathComponent("Manifests/phone.mpd"), encoding: .utf8)
        XCTAssertTrue(mpd.contains("width=\"180\" height=\"320\""), "portrait rungs sized by the short side: \(mpd)")
        XCTAssertTrue(mpd.contains("width=\"90\" height=\"160\""), mpd)

        // Our top rung against what ffmpeg shows of the source (turned by its display matrix).
        let whole = try joinedRepresentation(root.appendingPathComponent("Media/phone/180p"))
        let upright = try psnr(whole, against: rotated, filter: "scale=180:320")
        XCTAssertGreaterThan(upright, 30, "the picture is upright")
        // The same comparison with the picture left as stored would be far off: the test can tell.
        let sideways = try psnr(whole, against: rotated, filter: "transpose=clock,transpose=clock,scale=180:320")
        XCTAssertLessThan(sideways, upright - 10, "a picture turned the other way scores \(sideways) dB")
    }

    /// Mean luma PSNR of `file` against `reference` (autorotated by ffmpeg, then `filter`).
    private func psnr(_ file: URL, against reference: String, filter: String) throws -> Double {
        let run = try runProcess("ffmpeg", ["-v", "info", "-i", file.path, "-i", reference, "-lavfi",
                                            "[1:v]\(filter)[ref];[0:v][ref]psnr", "-f", "null", "-"])
        let line = try XCTUnwrap(run.stderr.split(separator: "\n").first { $0.contains("PSNR y:") }, run.stderr)
        let value = line.components(separatedBy: "y:")[1].split(separator: " ")[0]
        return Double(value) ?? (value == "inf" ? 99 : 0)
    }
}
