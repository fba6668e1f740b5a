import Foundation
import TestSupport
import XCTest

/// Quality against the yardstick: the same source and ladder through `dashcdn encode` and the
/// ffmpeg CLI (scripts/bench-encode, run small with this build), compared per rung. The source
/// runs into the sample's noise scene (12–18 s), where a scaler that is not a direct bicubic from
/// the source loses PSNR that clean scenes hide (scaling small rungs from larger ones once cost
/// 0.4–0.65 dB there and nothing measurable elsewhere). The bound is 0.2 dB, not the benchmark's
/// 0.1: x264's frame threading alone moves PSNR on that scene by up to ~0.2 dB either way, and
/// the ffmpeg CLI gives each encoder more threads than dashcdn does (the 480p rung, the source's
/// own pictures unscaled, comes out 0.08 dB apart).
final class FFmpegParityTests: XCTestCase {
    func testEveryRungMatchesTheFFmpegCLIInPSNRAndBitrate() throws {
        let out = try Paths.temporaryFolder("parity")
        defer { try? FileManager.default.removeItem(at: out) }
        let run = try runProcess(Paths.repository.appendingPathComponent("scripts/bench-encode").path,
                                 ["--duration", "15", "--size", "854x480", "--runs", "1",
                                  "--bin", Paths.dashcdn.path, "--out", out.path], timeout: 600)
        XCTAssertEqual(run.status, 0, run.stderr)
        // Rows: rung, dashcdn kb/s, ffmpeg kb/s, dashcdn PSNR, ffmpeg PSNR, difference.
        let rows = run.stdout.split(separator: "\n").map { $0.split(separator: " ") }
            .filter { $0.count == 6 && $0[0].contains("x") && Double($0[3]) != nil }
        XCTAssertEqual(rows.map { String($0[0]) }, ["428x240", "640x360", "854x480"], run.stdout)
        for row in rows {
            let ours = (kbps: Double(row[1])!, psnr: Double(row[3])!), theirs = (kbps: Double(row[2])!, psnr: Double(row[4])!)
            XCTAssertGreaterThanOrEqual(ours.psnr, theirs.psnr - 0.2, "\(row[0]): PSNR below ffmpeg's\n\(run.stdout)")
            XCTAssertEqual(ours.kbps, theirs.kbps, accuracy: theirs.kbps * 0.03, "\(row[0]): bitrate\n\(run.stdout)")
        }
    }
}
