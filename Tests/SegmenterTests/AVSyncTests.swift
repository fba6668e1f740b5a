import Foundation
import TestSupport
import XCTest

/// A flash in the picture and a beep in the sound at every whole second, as a lip-sync test chart
/// has them: after encoding, played back through the MPD and the HLS playlist by ffmpeg (which
/// applies the init segments' edit lists as browsers, GStreamer and Safari do), each beep must start
/// with its flash. The AAC encoder's 1024 priming samples (21 ms) and H.264's B-frame delay, or an
/// Opus source's pre-skip, must not move one against the other.
final class AVSyncTests: XCTestCase {
    func testAACOutputIsInSyncThroughTheManifestAndThePlaylist() throws {
        try assertInSync(audioCodec: ["-c:a", "aac"], container: "mp4", within: 0.002)
    }

    func testAnOpusSourceWithPreSkipComesOutInSync() throws {
        // Matroska keeps whole milliseconds, and ffmpeg reads this source's beep itself 7 ms off
        // its flash; a quarter of an Opus frame is what can be asked.
        try assertInSync(audioCodec: ["-c:a", "libopus", "-b:a", "96k"], container: "mkv", within: 0.005)
    }

    private func assertInSync(audioCodec: [String], container: String, within tolerance: Double, file: StaticString = #filePath, line: UInt = #line) throws {
        let root = try Paths.temporaryFolder("sync-\(container)")
        let source = root.appendingPathComponent("chart.\(container)").path
        let made = try runProcess("ffmpeg", [
            "-v", "error", "-y",
            "-f", "lavfi", "-i", "color=black:size=320x180:rate=25:duration=6,"
                + "drawbox=x=0:y=0:w=iw:h=ih:color=white:t=fill:enable='lt(mod(t\\,1)\\,0.04)'",
            "-f", "lavfi", "-i", "aevalsrc='if(lt(mod(t\\,1)\\,0.1)\\,sin(2*PI*1000*t)\\,0)':s=48000:d=6",
            "-c:v", "libx264", "-bf", "3", "-pix_fmt", "yuv420p"] + audioCodec + [source])
        XCTAssertEqual(made.status, 0, made.stderr, file: file, line: line)
        let encode = try dashcdn(["encode", source, "--root", root.path, "--title", "chart", "--ladder", "320x180@300k"])
        XCTAssertEqual(encode.status, 0, encode.stderr, file: file, line: line)

        let server = try StaticServer(folder: root)
        defer { withExtendedLifetime(server) {} }
        for manifest in ["Manifests/chart.mpd", "Manifests/chart.m3u8"] {
            let url = server.url(manifest)
            let flashes = try flashTimes(url)
            let beeps = try toneStarts(url)
            XCTAssertGreaterThanOrEqual(flashes.count, 5, "\(manifest): \(flashes)", file: file, line: line)
            XCTAssertGreaterThanOrEqual(beeps.count, 5, "\(manifest): \(beeps)", file: file, line: line)
            // Each beep starts with its flash (an AAC frame is 21 ms, a video frame 40 ms).
            for (flash, beep) in zip(flashes.dropFirst(), beeps) {
                XCTAssertEqual(beep - flash, 0, accuracy: tolerance, "\(manifest): flash at \(flash) s, beep at \(beep) s",
                               file: file, line: line)
            }
        }
    }

    /// When the picture turns white (mean luma above half), in seconds.
    private func flashTimes(_ url: String) throws -> [Double] {
        let run = try runProcess("ffmpeg", ["-v", "error", "-i", url, "-map", "0:v:0", "-vf",
                                            "signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-", "-f", "null", "-"],
                                 timeout: 60)
        var times: [Double] = []
        var time: Double?
        for line in run.stdout.split(separator: "\n") {
            if let range = line.range(of: "pts_time:") { time = Double(line[range.upperBound...]) }
            if let range = line.range(of: "YAVG="), let luma = Double(line[range.upperBound...]), luma > 128, let time {
                times.append(time)
            }
        }
        return times
    }
}
