import Foundation
import TestSupport
import XCTest

/// A 5.1 source: a stereo rendition for every device, and the 5.1 one kept beside it.
final class SurroundAudioTests: XCTestCase {
    func testA51SourceGetsStereoAndA51Rendition() throws {
        let root = try Paths.temporaryFolder("surround")
        let source = root.appendingPathComponent("surround.mp4").path
        // A different tone on each of the six channels, the LFE's low.
        let tones = "sin(440*2*PI*t)|sin(550*2*PI*t)|sin(660*2*PI*t)|sin(60*2*PI*t)|sin(770*2*PI*t)|sin(880*2*PI*t)"
        let made = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=3",
                                             "-f", "lavfi", "-i", "aevalsrc=\(tones):c=5.1:s=48000:d=3",
                                             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "384k", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        let encode = try dashcdn(["encode", source, "--root", root.path, "--title", "surround", "--ladder", "320x180@300k"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        let mpd = try String(contentsOf: root.appendingPathComponent("Manifests/surround.mpd"), encoding: .utf8)
        XCTAssertEqual(mpd.components(separatedBy: "contentType=\"audio\"").count - 1, 2, "two audio AdaptationSets: \(mpd)")
        XCTAssertTrue(mpd.contains("AudioChannelConfiguration schemeIdUri=\"urn:mpeg:dash:23003:3:audio_channel_configuration:2011\" value=\"6\""), mpd)
        XCTAssertTrue(mpd.contains("value=\"2\""), mpd)
        for (rep, channels, layout) in [("audio", 2, "stereo"), ("audio-51", 6, "5.1")] {
            let whole = try joinedRepresentation(root.appendingPathComponent("Media/surround/\(rep)"))
            let probe = try runProcess("ffprobe", ["-v", "error", "-select_streams", "a:0", "-show_entries",
                                                   "stream=channels,channel_layout", "-of", "csv=p=0", whole.path])
            XCTAssertEqual(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "\(channels),\(layout)", rep)
            let decode = try runProcess("ffmpeg", ["-v", "error", "-i", whole.path, "-f", "null", "-"])
            XCTAssertEqual(decode.stderr, "", rep)
        }
        let valid = try runProcess("xmllint", ["--nonet", "--noout", "--schema", Paths.schema.appendingPathComponent("DASH-MPD.xsd").path,
                                               root.appendingPathComponent("Manifests/surround.mpd").path],
                                   environment: ["XML_CATALOG_FILES": Paths.schema.appendingPathComponent("catalog.xml").path])
        XCTAssertEqual(valid.status, 0, valid.stderr)
    }
}
