import Foundation
import TestSupport
import XCTest

/// The encode and sample commands as a user runs them.
final class EncodeCommandTests: XCTestCase {
    func testEncodeDropsRungsAboveTheSourceAndPrintsTheTable() throws {
        let fixture = try EncodedFixture.shared.get()
        let root = try Paths.temporaryFolder("cli-encode")
        let result = try dashcdn(["encode", fixture.source.path, "--root", root.path, "--segment-duration", "2",
                                  "--ladder", "320x180@300k,1280x720@2800k", "--psnr"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("dropping rung 1280x720@2800k"), result.stderr)
        XCTAssertTrue(result.stdout.contains("180p"), result.stdout)
        XCTAssertFalse(result.stdout.contains("720p"), result.stdout)
        // The PSNR column holds a figure in dB for the video rung.
        let row = try XCTUnwrap(result.stdout.split(separator: "\n").first { $0.hasPrefix("180p") })
        XCTAssertTrue(row.hasSuffix(" dB"), String(row))
        // Title defaults to the input's base name.
        XCTAssertTrue(FileManager.default.fileExists(atPath: root.appendingPathComponent("Manifests/source.mpd").path))
        // Not a terminal: progress comes as plain lines.
        XCTAssertTrue(result.stderr.contains("encode: 180p"), result.stderr)
        XCTAssertFalse(result.stderr.contains("\u{1B}["), "terminal escapes in a log")
    }

    func testEveryLanguageAndSubtitleIsCarriedAndWhatIsDroppedIsNamed() throws {
        let root = try Paths.temporaryFolder("cli-languages")
        let subtitles = root.appendingPathComponent("subs.srt")
        try "1\n00:00:00,500 --> 00:00:01,500\nHello\n".write(to: subtitles, atomically: true, encoding: .utf8)
        let source = root.appendingPathComponent("two-languages.mp4").path
        let made = try runProcess("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25:duration=2",
                                             "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-f", "lavfi", "-i", "sine=frequency=660:duration=2",
                                             "-i", subtitles.path, "-map", "0", "-map", "1", "-map", "2", "-map", "3",
                                             "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-c:s", "mov_text",
                                             "-metadata:s:a:0", "language=eng", "-metadata:s:a:1", "language=fra",
                                             "-metadata:s:s:0", "language=eng", source])
        XCTAssertEqual(made.status, 0, made.stderr)
        // Subtitle files beside the movie: a language from the name, or given after a colon.
        let french = root.appendingPathComponent("extra.fra.srt")
        try "1\n00:00:01,000 --> 00:00:01,800\n<i>Bonjour</i>\n".write(to: french, atomically: true, encoding: .utf8)
        let brazilian = root.appendingPathComponent("notes.vtt")
        try "WEBVTT\n\n00:00.200 --> 00:01.200\nOlá\n".write(to: brazilian, atomically: true, encoding: .utf8)
        // Every language, one AdaptationSet each, the default track's Role main.
        let encode = try dashcdn(["encode", source, "--root", root.path, "--title", "all", "--ladder", "320x180@300k",
                                  "--subtitles", french.path, "--subtitles", brazilian.path + ":pt-BR"])
        XCTAssertEqual(encode.status, 0, encode.stderr)
        let mpd = try String(contentsOf: root.appendingPathComponent("Manifests/all.mpd"), encoding: .utf8)
        XCTAssertTrue(mpd.contains("lang=\"eng\">\n      <Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"main\"/>"), mpd)
        XCTAssertTrue(mpd.contains("lang=\"fra\">\n      <Role schemeIdUri=\"urn:mpeg:dash:role:2011\" value=\"alternate\"/>"), mpd)
        // The subtitle track as a WebVTT sidecar, in a text AdaptationSet whose BaseURL is the file.
        XCTAssertFalse(encode.stderr.contains("dropping"), encode.stderr)
        XCTAssertTrue(mpd.contains("contentType=\"text\" mimeType=\"text/vtt\""), mpd)
        XCTAssertTrue(mpd.contains("<BaseURL>../Media/all/text-eng/subtitles.vtt</BaseURL>"), mpd)
        let vtt = try String(contentsOf: root.appendingPathComponent("Media/all/text-eng/subtitles.vtt"), encoding: .utf8)
        XCTAssertEqual(vtt, "WEBVTT\n\n00:00:00.500 --> 00:00:01.500\nHello\n")
        XCTAssertTrue(mpd.contains("<BaseURL>../Media/all/text-fra/subtitles.vtt</BaseURL>"), mpd)
        XCTAssertTrue(mpd.contains("lang=\"pt-BR\""), mpd)
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("Media/all/text-fra/subtitles.vtt"), encoding: .utf8),
                       "WEBVTT\n\n00:00:01.000 --> 00:00:01.800\nBonjour\n")
        XCTAssertEqual(try String(contentsOf: root.appendingPathComponent("Media/all/text-pt-br/subtitles.vtt"), encoding: .utf8),
                       "WEBVTT\n\n00:00:00.200 --> 00:00:01.200\nOlá\n")
        // And in HLS: a subtitle rendition whose media playlist is the sidecar as one segment.
        let multivariant = try String(contentsOf: root.appendingPathComponent("Manifests/all.m3u8"), encoding: .utf8)
        XCTAssertTrue(multivariant.contains("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subtitles\",LANGUAGE=\"eng\",NAME=\"eng\",DEFAULT=NO,"
                                            + "AUTOSELECT=YES,URI=\"../Media/all/text-eng/playlist.m3u8\""), multivariant)
        XCTAssertTrue(multivariant.contains(",SUBTITLES=\"subtitles\""), multivariant)
        let subtitlePlaylist = try String(contentsOf: root.appendingPathComponent("Media/all/text-eng/playlist.m3u8"), encoding: .utf8)
        XCTAssertTrue(subtitlePlaylist.contains("#EXTINF:2.") && subtitlePlaylist.contains("\nsubtitles.vtt\n#EXT-X-ENDLIST"), subtitlePlaylist)
        let valid = try runProcess("xmllint", ["--nonet", "--noout", "--schema", Paths.schema.appendingPathComponent("DASH-MPD.xsd").path,
                                               root.appendingPathComponent("Manifests/all.mpd").path],
                                   environment: ["XML_CATALOG_FILES": Paths.schema.appendingPathComponent("catalog.xml").path])
        XCTAssertEqual(valid.status, 0, valid.stderr)
        // dash.js offers both languages and the subtitles, and plays to the end.
        if DashJSPlayback.unavailable == nil {
            let (played, line) = try DashJSPlayback.play(root: root, mpd: "Manifests/all.mpd")
            XCTAssertTrue(played.ended, line)
            XCTAssertEqual(played.errors, [], line)
            // (dash.js gives languages in their shortest form: eng is en.)
            XCTAssertEqual(Set(played.audioTracks ?? []), ["en", "fr"], line)
            XCTAssertEqual(played.textTracks, ["en", "fr", "pt"], line)
        }
        // A subtitle file that is not one: one line, nothing published.
        let picture = root.appendingPathComponent("picture.png")
        XCTAssertEqual(try runProcess("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=size=16x16", "-frames:v", "1", picture.path]).status, 0)
        let notSubtitles = try dashcdn(["encode", source, "--root", root.path, "--title", "bad-subs", "--ladder", "320x180@300k",
                                        "--subtitles", picture.path])
        XCTAssertEqual(notSubtitles.status, 1)
        XCTAssertEqual(notSubtitles.stderr, "dashcdn: error: --subtitles \(picture.path): no subtitles in it\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("Manifests/bad-subs.mpd").path))
        let badLanguage = try dashcdn(["encode", source, "--root", root.path, "--subtitles", brazilian.path + ":portuguese!"])
        XCTAssertNotEqual(badLanguage.status, 0)
        XCTAssertTrue(badLanguage.stderr.contains("is not a language tag"), badLanguage.stderr)
        // --audio chooses; what it leaves out is named.
        let frenchOnly = try dashcdn(["encode", source, "--root", root.path, "--title", "fra", "--ladder", "320x180@300k", "--audio", "fra"])
        XCTAssertEqual(frenchOnly.status, 0, frenchOnly.stderr)
        XCTAssertTrue(frenchOnly.stderr.contains("notice: dropping stream #1 audio aac eng"), frenchOnly.stderr)
        let onlyFrench = try String(contentsOf: root.appendingPathComponent("Manifests/fra.mpd"), encoding: .utf8)
        XCTAssertEqual(onlyFrench.components(separatedBy: "contentType=\"audio\"").count - 1, 1)
        XCTAssertTrue(onlyFrench.contains("lang=\"fra\""), onlyFrench)
        let missing = try dashcdn(["encode", source, "--root", root.path, "--title", "deu", "--ladder", "320x180@300k", "--audio", "deu"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("--audio deu: no audio track in that language (the source has: eng, fra)"), missing.stderr)
        // --strict refuses to drop anything, before anything is written.
        let strict = try dashcdn(["encode", source, "--root", root.path, "--title", "strict", "--ladder", "320x180@300k",
                                  "--audio", "fra", "--strict"])
        XCTAssertEqual(strict.status, 1)
        XCTAssertEqual(strict.stderr.split(separator: "\n").count, 1, strict.stderr)
        XCTAssertTrue(strict.stderr.contains("--strict: stream #1 audio aac eng"), strict.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.appendingPathComponent("Manifests/strict.mpd").path))
    }

    func testSampleIsDeterministic() throws {
        let folder = try Paths.temporaryFolder("sample-determinism")
        var digests: [String] = []
        for name in ["a.mp4", "b.mp4"] {
            let out = folder.appendingPathComponent(name).path
            let made = try dashcdn(["sample", "-o", out, "--duration", "3", "--size", "160x90", "--fps", "15"])
            XCTAssertEqual(made.status, 0, made.stderr)
            let hash = try runProcess("ffmpeg", ["-v", "error", "-i", out, "-map", "0", "-f", "md5", "-"])
            digests.append(hash.stdout)
        }
        XCTAssertEqual(digests[0], digests[1])
        XCTAssertTrue(digests[0].hasPrefix("MD5="), digests[0])
    }

    func testSampleHasVideoAndStereoAudioOfTheAskedShape() throws {
        let folder = try Paths.temporaryFolder("sample-shape")
        let out = folder.appendingPathComponent("s.mp4").path
        let made = try dashcdn(["sample", "-o", out, "--duration", "2", "--size", "320x180", "--fps", "25"])
        XCTAssertEqual(made.status, 0, made.stderr)
        func probe(_ stream: String, _ entries: String) throws -> String {
            try runProcess("ffprobe", ["-v", "error", "-select_streams", stream, "-show_entries", "stream=" + entries,
                                "-of", "csv=p=0", out]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        XCTAssertEqual(try probe("v:0", "codec_name,width,height,r_frame_rate"), "h264,320,180,25/1")
        XCTAssertEqual(try probe("a:0", "codec_name,channels"), "aac,2")
    }

    func testSampleRejectsABadSize() throws {
        let result = try dashcdn(["sample", "-o", "/tmp/never.mp4", "--size", "big"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertEqual(result.stderr.split(separator: "\n").count, 1)
        XCTAssertTrue(result.stderr.contains("bad size"), result.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: "/tmp/never.mp4"))
    }
}
