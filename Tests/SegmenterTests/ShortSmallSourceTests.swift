import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// A source smaller than every rung and shorter than one segment, encoded with the default
/// ladder as a user would, then played from a plain static web server that knows nothing of
/// dashcdn's URL layout.
final class ShortSmallSourceTests: XCTestCase {
    func testATinyThreeSecondClipIsEncodedConformantAndPlaysFromAStaticServer() throws {
        let root = try Paths.temporaryFolder("short-small")
        let source = root.appendingPathComponent("clip.mp4")
        let made = try dashcdn(["sample", "-o", source.path, "--duration", "3", "--size", "320x180", "--fps", "25"])
        XCTAssertEqual(made.status, 0, made.stderr)
        let encode = try dashcdn(["encode", source.path, "--root", root.path, "--title", "clip"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        XCTAssertTrue(encode.stderr.contains("adding rung 320x180@225k at the source's own size"), encode.stderr)
        XCTAssertTrue(encode.stderr.contains("notice: the title lasts 3.00 s, less than two 4 s segments: cut into 1.500 s segments"),
                      encode.stderr)
        let manifest = root.appendingPathComponent("Manifests/clip.mpd")
        let mpd = try String(contentsOf: manifest, encoding: .utf8)
        XCTAssertTrue(mpd.contains("width=\"320\" height=\"180\""), mpd)
        XCTAssertTrue(mpd.contains("initialization=\"../Media/clip/"), "URLs are the paths on disk: \(mpd)")

        // Durations are never written below the truth.
        let folder = root.appendingPathComponent("Media/clip/180p")
        let real = try probeDuration(joinedRepresentation(folder))
        let longest = try (1...2).map { try probeDuration(joined(folder, segment: $0)) }.max() ?? 0
        XCTAssertGreaterThanOrEqual(try seconds(attribute: "maxSegmentDuration", in: mpd), longest - 1e-9)
        XCTAssertGreaterThanOrEqual(try seconds(attribute: "mediaPresentationDuration", in: mpd), real - 1e-9)
        XCTAssertLessThanOrEqual(try seconds(attribute: "minBufferTime", in: mpd),
                                 try seconds(attribute: "mediaPresentationDuration", in: mpd))
        let valid = try runProcess("xmllint", ["--nonet", "--noout", "--schema",
                                               Paths.schema.appendingPathComponent("DASH-MPD.xsd").path, manifest.path],
                                   environment: ["XML_CATALOG_FILES": Paths.schema.appendingPathComponent("catalog.xml").path])
        XCTAssertEqual(valid.status, 0, valid.stderr)

        // A static server with no rewriting: every representation decodes through the MPD.
        let server = try StaticServer(folder: root)
        defer { withExtendedLifetime(server) {} }
        let url = server.url("Manifests/clip.mpd")
        for stream in ["v:0", "a:0"] {
            let decode = try runProcess("ffmpeg", ["-v", "error", "-i", url, "-map", "0:\(stream)", "-f", "null", "-"], timeout: 60)
            XCTAssertEqual(decode.status, 0, "\(stream): \(decode.stderr)")
            XCTAssertEqual(decode.stderr, "", stream)
        }

        // The DASH-IF reference player starts it and plays it to the end, from the same kind of server.
        if let reason = DashJSPlayback.unavailable { throw XCTSkip(reason) }
        let (played, line) = try DashJSPlayback.play(root: root, mpd: "Manifests/clip.mpd")
        XCTAssertTrue(played.ended, line)
        XCTAssertEqual(played.errors, [], line)
        XCTAssertEqual(played.currentTime ?? 0, real, accuracy: 0.1, line)
    }

    /// Init + one segment as a file.
    private func joined(_ folder: URL, segment: Int) throws -> URL {
        var data = try Data(contentsOf: folder.appendingPathComponent("init.mp4"))
        data.append(try Data(contentsOf: folder.appendingPathComponent("\(segment).m4s")))
        let out = folder.deletingLastPathComponent().appendingPathComponent("segment-\(segment).mp4")
        try data.write(to: out)
        return out
    }

    /// The time the video of a joined file spans, first picture to the end of the last, by ffprobe.
    private func probeDuration(_ whole: URL) throws -> Double {
        let probe = try runProcess("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries",
                                               "packet=pts_time,duration_time", "-of", "csv=p=0", whole.path])
        let packets = probe.stdout.split(separator: "\n").map { $0.split(separator: ",").compactMap { Double($0) } }.filter { $0.count == 2 }
        let start = try XCTUnwrap(packets.map { $0[0] }.min(), probe.stderr)
        let end = try XCTUnwrap(packets.map { $0[0] + $0[1] }.max(), probe.stderr)
        return end - start
    }

    /// An xs:duration attribute (`PT3.030S`) in seconds.
    private func seconds(attribute: String, in mpd: String) throws -> Double {
        let marker = "\(attribute)=\"PT"
        let start = try XCTUnwrap(mpd.range(of: marker), attribute).upperBound
        let text = mpd[start...].prefix { $0 != "S" }
        return try XCTUnwrap(Double(text), "\(attribute): \(text)")
    }
}
