import Foundation
import TestSupport
import XCTest

/// Broadcast video: NTSC MPEG-2 coded as fields, top field first. The ladder must come out as
/// whole frames, with no combing left for libavfilter's idet to find.
final class InterlacedSourceTests: XCTestCase {
    func testAnInterlacedSourceIsDeinterlaced() throws {
        let root = try Paths.temporaryFolder("interlaced")
        let source = root.appendingPathComponent("ntsc.mpg").path
        // 59.94 pictures a second woven two by two into 29.97 interlaced frames: real field motion.
        let made = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=720x480:rate=60000/1001:duration=3",
                                             "-vf", "tinterlace=mode=interleave_top,setfield=tff", "-c:v", "mpeg2video",
                                             "-flags", "+ilme+ildct", "-top", "1", "-b:v", "8M", "-an", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        let before = try fieldCounts(source)
        XCTAssertGreaterThan(before.interlaced, before.total * 9 / 10, "the source is interlaced: \(before)")

        let encode = try dashcdn(["encode", source, "--root", root.path, "--title", "ntsc", "--ladder", "720x480@3000k,360x240@800k"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertTrue(encode.stderr.contains("notice: the source is interlaced"), encode.stderr)
        for rep in ["480p", "240p"] {
            let whole = try joinedRepresentation(root.appendingPathComponent("Media/ntsc/\(rep)"))
            let after = try fieldCounts(whole.path)
            XCTAssertEqual(after.total, before.total, "\(rep): one frame per source frame")
            XCTAssertLessThan(after.interlaced, after.total / 10, "\(rep): no combed frames left: \(after)")
        }
    }

    /// idet's multi-frame verdict: frames judged interlaced (TFF or BFF), of all it judged.
    private func fieldCounts(_ path: String) throws -> (interlaced: Int, total: Int) {
        let run = try runProcess("ffmpeg", ["-v", "info", "-i", path, "-vf", "idet", "-an", "-f", "null", "-"])
        let line = try XCTUnwrap(run.stderr.split(separator: "\n").first { $0.contains("Multi frame detection") }, run.stderr)
        func count(_ label: String) -> Int {
            Int(line.components(separatedBy: "\(label):")[1].trimmingCharacters(in: .whitespaces).split(separator: " ")[0]) ?? 0
        }
        let interlaced = count("TFF") + count("BFF")
        return (interlaced, interlaced + count("Progressive") + count("Undetermined"))
    }
}
