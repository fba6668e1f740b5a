import Foundation
import TestSupport
import XCTest

/// Studio masters: HDR10 (HEVC Main10, BT.2020, PQ). The SDR ladder must be tone-mapped, not
/// the 10-bit code values squeezed into 8 bits, and every output must say what colour it is.
final class HDRSourceTests: XCTestCase {
    func testAnHDR10SourceIsToneMappedToTaggedBT709() throws {
        let root = try Paths.temporaryFolder("hdr")
        let source = root.appendingPathComponent("hdr10.mp4").path
        // An SDR mid-grey (Y 128) carried in PQ: its 10-bit code is 373, far from what 8 bits show.
        let made = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "color=c=0x808080:size=320x180:rate=25:duration=2",
                                             "-vf", "format=yuv420p,zscale=tin=bt709:min=bt709:pin=bt709:rin=tv:t=smpte2084:m=bt2020nc:"
                                                 + "p=bt2020:r=tv:npl=100,format=yuv420p10le",
                                             "-c:v", "libx265", "-x265-params",
                                             "colorprim=bt2020:transfer=smpte2084:colormatrix=bt2020nc:range=limited:log-level=error",
                                             "-pix_fmt", "yuv420p10le", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        let encode = try dashcdn(["encode", source, "--root", root.path, "--title", "hdr", "--ladder", "320x180@300k"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertTrue(encode.stderr.contains("notice: the source is HDR (bt2020/smpte2084/bt2020nc): tone-mapped"), encode.stderr)
        let output = try joinedRepresentation(root.appendingPathComponent("Media/hdr/180p"))
        XCTAssertEqual(try colour(output), ["bt709", "bt709", "bt709", "tv"])
        let grey = try meanLuma(output)
        XCTAssertEqual(grey, 128, accuracy: 6, "the grey comes out near its SDR level")
    }

    func testAnSDRSourceThatSaysNothingComesOutTaggedBT709() throws {
        let root = try Paths.temporaryFolder("sdr-tags")
        let source = root.appendingPathComponent("plain.mp4").path
        let made = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=1",
                                             "-c:v", "libx264", "-pix_fmt", "yuv420p", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        let encode = try dashcdn(["encode", source, "--root", root.path, "--title", "plain", "--ladder", "320x180@300k"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertEqual(try colour(try joinedRepresentation(root.appendingPathComponent("Media/plain/180p"))), ["bt709", "bt709", "bt709", "tv"])
    }

    /// Primaries, transfer, matrix and range as ffprobe reads them.
    private func colour(_ file: URL) throws -> [String] {
        let probe = try runProcess("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                               "stream=color_primaries,color_transfer,color_space,color_range", "-of", "json", file.path])
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(probe.stdout.utf8)) as? [String: Any])
        let stream = try XCTUnwrap((json["streams"] as? [[String: Any]])?.first, probe.stdout)
        return ["color_primaries", "color_transfer", "color_space", "color_range"].map { stream[$0] as? String ?? "unknown" }
    }

    private func meanLuma(_ file: URL) throws -> Double {
        let run = try runProcess("ffmpeg", ["-v", "info", "-i", file.path, "-vf",
                                            "signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG", "-frames:v", "1", "-f", "null", "-"])
        let line = try XCTUnwrap(run.stderr.split(separator: "\n").first { $0.contains("YAVG=") }, run.stderr)
        return try XCTUnwrap(Double(line.components(separatedBy: "YAVG=")[1].trimmingCharacters(in: .whitespaces)))
    }
}
