import Foundation
import TestSupport
import XCTest

/// Phone and screen-capture video: the frame rate changes mid-stream (4 s at 30 fps, 4 s at 20).
/// Every picture must keep its time, on a constant grid, as the ffmpeg CLI's fps filter puts it.
final class VariableRateTests: XCTestCase {
    func testAVariableRateSourceKeepsEveryPictureAtItsTime() throws {
        let root = try Paths.temporaryFolder("variable-rate")
        let source = root.appendingPathComponent("vfr.mp4").path
        let made = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=30:duration=8",
                                             "-vf", "select='lt(t,4)+not(eq(mod(n,3),2))'", "-vsync", "vfr",
                                             "-c:v", "libx264", "-pix_fmt", "yuv420p", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        let encode = try dashcdn(["encode", source, "--root", root.path, "--title", "vfr", "--ladder", "320x180@300k"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertTrue(encode.stderr.contains("variable rate"), encode.stderr)
        let mpd = try String(contentsOf: root.appendingPathComponent("Manifests/vfr.mpd"), encoding: .utf8)
        XCTAssertTrue(mpd.contains("frameRate=\"30\""), "the source's base rate, not its average: \(mpd)")

        let whole = try joinedRepresentation(root.appendingPathComponent("Media/vfr/180p"))
        // Frame by frame against the fps filter's 30 fps version of the source: the testsrc2
        // picture moves every frame, so a picture shown at the wrong time scores far lower.
        let run = try runProcess("ffmpeg", ["-v", "info", "-i", whole.path, "-i", source, "-lavfi",
                                            "[1:v]fps=30[ref];[0:v][ref]psnr", "-f", "null", "-"])
        let line = try XCTUnwrap(run.stderr.split(separator: "\n").first { $0.contains("PSNR y:") }, run.stderr)
        let worst = try XCTUnwrap(Double(line.components(separatedBy: "min:")[1].split(separator: " ")[0]))
        XCTAssertGreaterThan(worst, 30, "every picture at its time: \(line)")
        let probe = try runProcess("ffprobe", ["-v", "error", "-count_frames", "-show_entries", "stream=nb_read_frames",
                                               "-of", "csv=p=0", whole.path])
        XCTAssertEqual(Int(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0, 239, "8 s on a 30 fps grid")
    }
}
