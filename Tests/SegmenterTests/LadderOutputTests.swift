import Foundation
import MPD
import TestSupport
import XCTest

/// What a video engineer checks on a freshly encoded ladder, with independent tools.
final class LadderOutputTests: XCTestCase {
    var fixture: EncodedFixture!

    override func setUpWithError() throws {
        fixture = try EncodedFixture.shared.get()
    }

    func testManifestValidatesAgainstTheOfficialSchema() throws {
        let result = try runProcess("xmllint", ["--nonet", "--noout", "--schema",
                                         Paths.schema.appendingPathComponent("DASH-MPD.xsd").path, fixture.manifest.path],
                             environment: ["XML_CATALOG_FILES": Paths.schema.appendingPathComponent("catalog.xml").path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("validates"), result.stderr)
    }

    func testManifestDescribesAStaticLiveProfilePresentation() {
        let mpd = fixture.mpdText
        XCTAssertTrue(mpd.contains(#"type="static""#))
        XCTAssertTrue(mpd.contains(#"profiles="urn:mpeg:dash:profile:isoff-live:2011""#))
        XCTAssertEqual(fixture.attribute("segmentAlignment", of: "AdaptationSet"), ["true", "true"])
        XCTAssertEqual(fixture.attribute("startWithSAP", of: "AdaptationSet"), ["1", "1"])
        XCTAssertEqual(fixture.attribute("width", of: "Representation"), ["192", "320", "480"])
        XCTAssertEqual(fixture.attribute("frameRate", of: "Representation"), ["30", "30", "30"])
        XCTAssertEqual(fixture.attribute("sar", of: "Representation"), ["1:1", "1:1", "1:1"])
        XCTAssertEqual(fixture.attribute("lang", of: "AdaptationSet"), ["und"])
        XCTAssertTrue(mpd.contains("AudioChannelConfiguration"))
        // Relative URLs resolve from Manifests/<title>.mpd to the files in Media/<title>/…
        XCTAssertEqual(fixture.attribute("media", of: "SegmentTemplate").first,
                       "../Media/fixture/$RepresentationID$/$Number$.m4s")
        let duration = fixture.attribute("mediaPresentationDuration", of: "MPD").first ?? ""
        let seconds = Double(duration.dropFirst(2).dropLast()) ?? 0
        XCTAssertEqual(seconds, EncodedFixture.seconds, accuracy: 0.05)
    }

    func testVideoSegmentsStartTogetherWithAnIDRAndLastTheSegmentDuration() throws {
        var starts: [String: [UInt64]] = [:]
        var timescale: UInt32 = 0
        for rep in fixture.videoIDs {
            let initBoxes = try MP4Boxes(fixture.initSegment(rep))
            timescale = try XCTUnwrap(initBoxes.timescale)
            let segments = try fixture.segments(rep)
            // The edit list starts the presentation at the first IDR (its B-frame delay cut).
            let first = try MP4Boxes(segments[0])
            XCTAssertEqual(first.baseMediaDecodeTime, 0, rep)
            XCTAssertEqual(initBoxes.editListMediaTime, try XCTUnwrap(first.firstCompositionOffset), rep)
            XCTAssertEqual(segments.count, 5, rep)
            for segment in segments {
                let boxes = try MP4Boxes(segment)
                starts[rep, default: []].append(try XCTUnwrap(boxes.baseMediaDecodeTime))
                let firstPicture = boxes.nalTypes.first { (1...5).contains($0) }
                XCTAssertEqual(firstPicture, 5, "\(segment.lastPathComponent) of \(rep) does not open with an IDR")
            }
        }
        let reference = starts[fixture.videoIDs[0]]!
        for rep in fixture.videoIDs { XCTAssertEqual(starts[rep], reference, "tfdt of \(rep) differs") }
        let frame = Double(timescale) / Double(EncodedFixture.fps)
        let target = EncodedFixture.segmentDuration * Double(timescale)
        for (a, b) in zip(reference, reference.dropFirst()) {
            XCTAssertLessThanOrEqual(abs(Double(b - a) - target), frame, "segment lasts \(Double(b - a) / Double(timescale)) s")
        }
    }

    func testAudioSegmentsHoldEqualRunsOfFramesAndTheirTimelineIsOneEntry() throws {
        let audio = try fixture.segments("audio").map { try XCTUnwrap(MP4Boxes($0).baseMediaDecodeTime) }
        let audioInit = try MP4Boxes(fixture.initSegment("audio"))
        let rate = Double(try XCTUnwrap(audioInit.timescale))
        // The AAC priming samples are cut by the edit list, not by the MPD.
        XCTAssertEqual(audioInit.editListMediaTime, 1024)
        XCTAssertEqual(fixture.attribute("presentationTimeOffset", of: "SegmentTemplate"), [])
        // Every segment but the last holds the whole number of AAC frames nearest the segment duration.
        let frames = (EncodedFixture.segmentDuration * rate / 1024).rounded()
        for (a, b) in zip(audio, audio.dropFirst()) { XCTAssertEqual(Double(b - a), frames * 1024) }
        // So the timeline is a first entry (short by the priming), one repeated entry, and the last.
        let mpd = fixture.mpdText
        let audioTimeline = try XCTUnwrap(mpd.components(separatedBy: "contentType=\"audio\"").last)
            .components(separatedBy: "</SegmentTimeline>")[0]
        XCTAssertLessThanOrEqual(audioTimeline.components(separatedBy: "<S ").count - 1, 3, audioTimeline)
        // And the sound lasts as long as the picture, to within a frame.
        let presented = try segmentDurations("audio").reduce(0, +)
        XCTAssertEqual(presented, try segmentDurations("108p").reduce(0, +), accuracy: 1024 / rate + 1e-6)
    }

    func testBandwidthCoversWhatTheRealSegmentSizesNeed() throws {
        let bandwidths = fixture.attribute("bandwidth", of: "Representation").compactMap(Int.init)
        let minBuffer = Double(fixture.attribute("minBufferTime", of: "MPD")[0].dropFirst(2).dropLast())!
        for (rep, bandwidth) in zip(fixture.videoIDs + ["audio"], bandwidths) {
            let sizes = try fixture.segments(rep).map { try Data(contentsOf: $0).count }
            let durations = try segmentDurations(rep)
            // ISO/IEC 23009-1: from any segment start j, segments j…i arrive by minBufferTime + (t_i − t_j).
            var starts = [0.0]
            for d in durations.dropLast() { starts.append(starts.last! + d) }
            for j in sizes.indices {
                var bits = 0.0
                for i in j..<sizes.count {
                    bits += Double(sizes[i] * 8)
                    let arrival = bits / Double(bandwidth)
                    XCTAssertLessThanOrEqual(arrival, minBuffer + starts[i] - starts[j] + 1e-9, "\(rep) \(j)…\(i)")
                }
            }
        }
    }

    func testCodecsStringsMatchTheStreams() throws {
        let codecs = fixture.attribute("codecs", of: "Representation")
        for (rep, codec) in zip(fixture.videoIDs, codecs) {
            XCTAssertEqual(codec, try MP4Boxes(fixture.initSegment(rep)).avcCodecString, rep)
        }
        XCTAssertEqual(codecs.last, "mp4a.40.2")
        let probe = try runProcess("ffprobe", ["-v", "error", "-show_entries", "stream=profile", "-of", "csv=p=0",
                                        try fixture.concatenated("audio").path])
        XCTAssertEqual(probe.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "LC")
    }

    func testFFmpegDecodesEveryRepresentationWithoutError() throws {
        for rep in fixture.videoIDs + ["audio"] {
            let whole = try fixture.concatenated(rep)
            let decode = try runProcess("ffmpeg", ["-v", "error", "-i", whole.path, "-f", "null", "-"])
            XCTAssertEqual(decode.status, 0, "\(rep): \(decode.stderr)")
            XCTAssertEqual(decode.stderr, "", rep)
            if rep != "audio" {
                let count = try runProcess("ffprobe", ["-v", "error", "-count_frames", "-select_streams", "v:0",
                                                "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", whole.path])
                XCTAssertEqual(Int(count.stdout.trimmingCharacters(in: .whitespacesAndNewlines)),
                               Int(EncodedFixture.seconds) * EncodedFixture.fps, rep)
            }
        }
    }

    func testSegmentTableHoldsTheRealSizes() throws {
        let table = try SegmentSizeTable.decode(Data(contentsOf: fixture.table))
        XCTAssertEqual(table.segmentDurationMs, 2000)
        XCTAssertEqual(table.bitratesKbps, [150, 300, 600])
        XCTAssertEqual(table.segmentSizesBits.count, 5)
        for (level, rep) in fixture.videoIDs.enumerated() {
            let sizes = try fixture.segments(rep).map { try Data(contentsOf: $0).count * 8 }
            XCTAssertEqual(table.segmentSizesBits.map { $0[level] }, sizes, rep)
        }
    }

    func testNothingIsLeftInStaging() throws {
        let media = try FileManager.default.contentsOfDirectory(atPath: fixture.root.appendingPathComponent("Media").path)
        let manifests = try FileManager.default.contentsOfDirectory(atPath: fixture.root.appendingPathComponent("Manifests").path)
        XCTAssertEqual(media.sorted(), ["fixture"])
        XCTAssertEqual(manifests.sorted(), ["fixture.m3u8", "fixture.mpd", "fixture.segments.json"])
    }

    /// Durations from the timeline in the MPD (the per-segment tfdt are checked separately).
    private func segmentDurations(_ rep: String) throws -> [Double] {
        let scales = fixture.attribute("timescale", of: "SegmentTemplate").compactMap(Double.init)
        let timelines = fixture.mpdText.components(separatedBy: "<SegmentTimeline>").dropFirst()
        let index = rep == "audio" ? 1 : 0
        let timeline = timelines[timelines.startIndex + index].components(separatedBy: "</SegmentTimeline>")[0]
        var durations: [Double] = []
        let regex = try NSRegularExpression(pattern: #"<S (?:t="\d+" )?d="(\d+)"(?: r="(\d+)")?"#)
        for match in regex.matches(in: timeline, range: NSRange(timeline.startIndex..., in: timeline)) {
            let d = Double(timeline[Range(match.range(at: 1), in: timeline)!])!
            let r = Range(match.range(at: 2), in: timeline).map { Int(timeline[$0])! } ?? 0
            durations += Array(repeating: d / scales[index], count: r + 1)
        }
        return durations
    }
}
