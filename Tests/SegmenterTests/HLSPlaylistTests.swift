import Foundation
import TestSupport
import XCTest

/// The HLS playlists written beside the MPD, over the very same segments: the rules RFC 8216
/// sets, and ffmpeg's HLS demuxer decoding every variant from a plain static server.
final class HLSPlaylistTests: XCTestCase {
    private var fixture: EncodedFixture { get throws { try EncodedFixture.shared.get() } }

    func testPlaylistsFollowTheRulesAndNameOnlyFilesThatExist() throws {
        let fixture = try fixture
        let multivariant = try String(contentsOf: fixture.root.appendingPathComponent("Manifests/fixture.m3u8"), encoding: .utf8)
        let lines = multivariant.split(separator: "\n").map(String.init)
        XCTAssertEqual(Array(lines.prefix(3)), ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"])
        XCTAssertTrue(multivariant.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",LANGUAGE=\"und\""), multivariant)
        let variants = lines.indices.filter { lines[$0].hasPrefix("#EXT-X-STREAM-INF:") }
        XCTAssertEqual(variants.count, fixture.videoIDs.count)
        for index in variants {
            let info = lines[index], uri = lines[index + 1]
            let rep = try XCTUnwrap(uri.split(separator: "/").dropLast().last.map(String.init), uri)
            for attribute in ["AVERAGE-BANDWIDTH=", "CODECS=\"avc1.", "mp4a.40.2\"", "RESOLUTION=", "FRAME-RATE=30.000", "AUDIO=\"audio\""] {
                XCTAssertTrue(info.contains(attribute), "\(attribute) in \(info)")
            }
            // BANDWIDTH is at least the real peak: the largest segment's bits over its duration.
            let bandwidth = try XCTUnwrap(Int(info.components(separatedBy: "BANDWIDTH=")[1].prefix { $0.isNumber }))
            let media = try mediaPlaylist(fixture.root.appendingPathComponent("Manifests").appendingPathComponent(uri))
            let peak = try zip(fixture.segments(rep), media.durations).map { file, seconds in
                Double(try Data(contentsOf: file).count * 8) / seconds
            }.max() ?? 0
            XCTAssertGreaterThanOrEqual(Double(bandwidth), peak, rep)
        }
        for rep in fixture.videoIDs + ["audio"] {
            let url = fixture.media.appendingPathComponent(rep).appendingPathComponent("playlist.m3u8")
            let media = try mediaPlaylist(url)
            XCTAssertTrue(media.durations.allSatisfy { $0 <= Double(media.target) }, "\(rep): EXTINF within the target duration")
            XCTAssertEqual(media.durations.reduce(0, +), EncodedFixture.seconds, accuracy: 0.1, rep)
            for name in media.uris {
                XCTAssertTrue(FileManager.default.fileExists(atPath: url.deletingLastPathComponent().appendingPathComponent(name).path),
                              "\(rep): \(name) exists")
            }
        }
    }

    func testIFramePlaylistsPointEachRangeAtTheSegmentsIDR() throws {
        let fixture = try fixture
        let multivariant = try String(contentsOf: fixture.root.appendingPathComponent("Manifests/fixture.m3u8"), encoding: .utf8)
        let variants = multivariant.split(separator: "\n").filter { $0.hasPrefix("#EXT-X-I-FRAME-STREAM-INF:") }
        XCTAssertEqual(variants.count, fixture.videoIDs.count)
        let scratch = try Paths.temporaryFolder("iframes")
        for rep in fixture.videoIDs {
            let folder = fixture.media.appendingPathComponent(rep)
            let variant = try XCTUnwrap(variants.first { $0.contains("/\(rep)/iframes.m3u8") }, "\(rep) in \(variants)")
            XCTAssertTrue(variant.contains("CODECS=\"avc1.") && variant.contains("RESOLUTION="), String(variant))
            let lines = try String(contentsOf: folder.appendingPathComponent("iframes.m3u8"), encoding: .utf8).split(separator: "\n")
            XCTAssertTrue(lines.contains("#EXT-X-I-FRAMES-ONLY"))
            let durations = lines.filter { $0.hasPrefix("#EXTINF:") }.compactMap { Double($0.dropFirst(8).dropLast()) }
            let ranges = lines.indices.filter { lines[$0].hasPrefix("#EXT-X-BYTERANGE:") }.map { index -> (Int, String) in
                (Int(lines[index].dropFirst(17).split(separator: "@")[0])!, String(lines[index + 1]))
            }
            XCTAssertEqual(ranges.count, try fixture.segments(rep).count)
            var peak = 0.0
            for ((length, uri), seconds) in zip(ranges, durations) {
                let segment = try Data(contentsOf: folder.appendingPathComponent(uri))
                XCTAssertLessThan(length, segment.count, "\(rep)/\(uri): one frame, not the whole segment")
                peak = max(peak, Double(length * 8) / seconds)
                // The init segment and the range alone decode to exactly one picture, a key frame.
                let probe = scratch.appendingPathComponent("\(rep)-\(uri).mp4")
                try (try Data(contentsOf: folder.appendingPathComponent("init.mp4")) + segment.prefix(length)).write(to: probe)
                let frames = try runProcess("ffprobe", ["-v", "quiet", "-select_streams", "v", "-show_entries", "frame=key_frame,pict_type",
                                                        "-of", "csv=p=0", probe.path], timeout: 30)
                // (The first picture of a stream carries side data, which adds a trailing field.)
                XCTAssertEqual(frames.stdout.split(separator: "\n").map { $0.split(separator: ",").prefix(2).joined(separator: ",") }, ["1,I"],
                               "\(rep)/\(uri)")
            }
            let bandwidth = try XCTUnwrap(Int(variant.components(separatedBy: "BANDWIDTH=")[1].prefix { $0.isNumber }))
            XCTAssertGreaterThanOrEqual(Double(bandwidth), peak, rep)
        }
    }

    func testGStreamersHLSDemuxerPlaysTheMultivariantPlaylistToTheEnd() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/gst-launch-1.0") else {
            throw XCTSkip("GStreamer is missing: scripts/bootstrap installs gstreamer1.0-plugins-bad and friends")
        }
        let fixture = try fixture
        let server = try StaticServer(folder: fixture.root)
        defer { withExtendedLifetime(server) {} }
        let run = try runProcess("gst-launch-1.0", ["-m", "playbin", "uri=\(server.url("Manifests/fixture.m3u8"))",
                                                    "video-sink=fakesink sync=false", "audio-sink=fakesink sync=false"], timeout: 120)
        XCTAssertEqual(run.status, 0, run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("Got EOS from element \"playbin"), run.stdout)
        XCTAssertFalse(run.stdout.contains("ERROR"), run.stdout)
    }

    func testDashcdnHLSWritesTheSamePlaylistsForAnEarlierEncode() throws {
        let fixture = try fixture
        // An encode from before the playlists: the same files without any .m3u8.
        let copy = try Paths.temporaryFolder("hls-backfill").appendingPathComponent("root")
        try FileManager.default.copyItem(at: fixture.root, to: copy)
        let playlists = try FileManager.default.subpathsOfDirectory(atPath: copy.path).filter { $0.hasSuffix(".m3u8") }
        XCTAssertFalse(playlists.isEmpty)
        for path in playlists { try FileManager.default.removeItem(at: copy.appendingPathComponent(path)) }
        let run = try dashcdn(["hls", copy.appendingPathComponent("Manifests/fixture.mpd").path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout.split(separator: "\n").count, playlists.count, run.stdout)
        for path in playlists {
            XCTAssertEqual(try String(contentsOf: copy.appendingPathComponent(path), encoding: .utf8),
                           try String(contentsOf: fixture.root.appendingPathComponent(path), encoding: .utf8), path)
        }
        // Not a dashcdn encode's manifest: one line, nothing written.
        let wrong = try dashcdn(["hls", copy.appendingPathComponent("Media/fixture/108p/1.m4s").path])
        XCTAssertEqual(wrong.status, 1)
        XCTAssertEqual(wrong.stderr.split(separator: "\n").count, 1, wrong.stderr)
    }

    func testFFmpegDecodesEveryVariantFromAStaticServer() throws {
        let fixture = try fixture
        let server = try StaticServer(folder: fixture.root)
        defer { withExtendedLifetime(server) {} }
        let url = server.url("Manifests/fixture.m3u8")
        for variant in fixture.videoIDs.indices {
            let decode = try runProcess("ffmpeg", ["-v", "error", "-i", url, "-map", "0:v:\(variant)", "-map", "0:a:0", "-f", "null", "-"],
                                        timeout: 60)
            XCTAssertEqual(decode.status, 0, decode.stderr)
            XCTAssertEqual(decode.stderr, "", "variant \(variant)")
        }
    }

    /// TARGETDURATION, every EXTINF, and the URIs (EXT-X-MAP's first) of a media playlist, which
    /// must be a complete VOD playlist.
    private func mediaPlaylist(_ url: URL) throws -> (target: Int, durations: [Double], uris: [String]) {
        let text = try String(contentsOf: url, encoding: .utf8)
        let lines = text.split(separator: "\n").map(String.init)
        for tag in ["#EXT-X-PLAYLIST-TYPE:VOD", "#EXT-X-ENDLIST", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"] {
            XCTAssertTrue(lines.contains(tag), "\(tag) in \(url.path)")
        }
        let target = try XCTUnwrap(lines.first { $0.hasPrefix("#EXT-X-TARGETDURATION:") }.flatMap { Int($0.dropFirst(22)) })
        let map = try XCTUnwrap(lines.first { $0.hasPrefix("#EXT-X-MAP:URI=\"") }?.dropFirst(16).dropLast())
        let durations = lines.filter { $0.hasPrefix("#EXTINF:") }.compactMap { Double($0.dropFirst(8).dropLast()) }
        let uris = [String(map)] + lines.filter { !$0.hasPrefix("#") }
        return (target, durations, uris)
    }
}
