@testable import Segmenter
import FFmpeg
import TestSupport
import Foundation
import XCTest

final class LadderTests: XCTestCase {
    func testParsesASpecSortedByBitrate() throws {
        XCTAssertEqual(try Ladder.parse("1280x720@2800k,640x360@800"), [
            Rung(width: 640, height: 360, bitrateKbps: 800), Rung(width: 1280, height: 720, bitrateKbps: 2800),
        ])
        XCTAssertEqual(try Ladder.parse("1920x1080@5M").first?.bitrateKbps, 5000)
        XCTAssertEqual(try Ladder.parse("default"), Ladder.default)
    }

    func testRejectsMalformedSpecs() {
        for spec in ["", "720p", "1280x720", "1280x720@", "x720@800k", "1280x720@fast", "1280x720@800k,", "8x8@100k"] {
            XCTAssertThrowsError(try Ladder.parse(spec), spec)
        }
    }

    func testNeverUpscalesAndKeepsTheSourceAspect() {
        let fit = Ladder.fit(Ladder.default, sourceWidth: 1280, sourceHeight: 720)
        XCTAssertEqual(fit.kept.map(\.height), [240, 360, 480, 720])
        XCTAssertEqual(fit.dropped.map(\.height), [1080])
        XCTAssertEqual(fit.kept.map(\.width), [426, 640, 854, 1280])
        // A 4:3 source gets 4:3 rungs.
        XCTAssertEqual(Ladder.fit(Ladder.default, sourceWidth: 640, sourceHeight: 480).kept.map(\.width), [320, 480, 640])
    }

    func testAPortraitSourceGetsPortraitRungsSizedByTheShortSide() {
        let phone = Ladder.fit(Ladder.default, sourceWidth: 1080, sourceHeight: 1920)
        XCTAssertEqual(phone.kept.last, Rung(width: 1080, height: 1920, bitrateKbps: 5000))
        XCTAssertEqual(phone.kept.first, Rung(width: 240, height: 426, bitrateKbps: 400))
        XCTAssertTrue(phone.dropped.isEmpty)
        // A portrait rung spelled portrait is the same rung.
        XCTAssertEqual(Ladder.fit([Rung(width: 720, height: 1280, bitrateKbps: 2800)], sourceWidth: 1080, sourceHeight: 1920).kept,
                       [Rung(width: 720, height: 1280, bitrateKbps: 2800)])
    }

    func testTheDefaultLadderKeepsARungAtASmallerSourcesOwnSize() {
        // Below every rung: one rung at the source's size, its bitrate in proportion to its pixels.
        let tiny = Ladder.fit(Ladder.default, sourceWidth: 320, sourceHeight: 180, fillToSource: true)
        XCTAssertEqual(tiny.kept, [Rung(width: 320, height: 180, bitrateKbps: 225)])
        XCTAssertEqual(tiny.added, tiny.kept.first)
        // Between rungs: interpolated by pixels between 480p (1400k) and 720p (2800k).
        let between = Ladder.fit(Ladder.default, sourceWidth: 1024, sourceHeight: 576, fillToSource: true)
        XCTAssertEqual(between.kept.map(\.height), [240, 360, 480, 576])
        XCTAssertEqual(between.added, Rung(width: 1024, height: 576, bitrateKbps: 1892))
        // A source the size of a rung, or a ladder the user chose, gets nothing added.
        XCTAssertNil(Ladder.fit(Ladder.default, sourceWidth: 1280, sourceHeight: 720, fillToSource: true).added)
        XCTAssertNil(Ladder.fit(Ladder.default, sourceWidth: 320, sourceHeight: 180).added)
    }

    /// A 24 fps file looped two hours by the ffmpeg CLI averages 530841600/22118401: the MPD
    /// said that, with a timescale of 530841600. What was meant is 24.
    func testAnAverageThatLostMicrosecondsIsTheRateItWasMeantToBe() {
        XCTAssertEqual(SourceMedia.nominalRate(average: Rational(530_841_600, 22_118_401), base: Rational(24, 1)), Rational(24, 1))
        XCTAssertEqual(SourceMedia.nominalRate(average: Rational(2_997_001, 100_000), base: Rational(0, 0)), Rational(30000, 1001))
        // Real differences stay: 23.976 is not 24, and an unusual constant rate is kept.
        XCTAssertEqual(SourceMedia.nominalRate(average: Rational(24000, 1001), base: Rational(24, 1)), Rational(24000, 1001))
        XCTAssertEqual(SourceMedia.nominalRate(average: Rational(15, 1), base: Rational(15, 1)), Rational(15, 1))
        XCTAssertEqual(SourceMedia.nominalRate(average: Rational(12_345, 1000), base: Rational(0, 0)), Rational(12_345, 1000))
        XCTAssertEqual(SourceMedia.nominalRate(average: Rational(0, 0), base: Rational(0, 0)), Rational(25, 1))
    }

    /// 60 s of a static shot at 200 fps, then grain at 50 fps: a minute into the grain the ETA
    /// is the grain's pace, where the average since the start would still be twice too hopeful.
    func testTheETAFollowsThePaceAfterASceneChange() {
        var now = 0.0
        let printed = LinesBox()
        let reporter = ProgressReporter(totalFrames: 30_000, frameRate: 25, interactive: false, clock: { now },
                                        write: { printed.append($0) })
        var done = 0
        for _ in 0..<600 { now += 0.1; done += 20; reporter.update([.init(name: "1080p", done: done)]) }
        for _ in 0..<600 { now += 0.1; done += 5; reporter.update([.init(name: "1080p", done: done)]) }
        reporter.update([.init(name: "1080p", done: done)], force: true)
        // 15 000 frames done, 15 000 left at 50 fps: 300 s (the average since the start, 125 fps, says 120 s).
        XCTAssertTrue(printed.last.hasSuffix("ETA 05:00\n"), printed.last)
        XCTAssertTrue(printed.last.contains("125.0 fps"), "fps and speed stay the average: \(printed.last)")
    }

    func testSegmentBoundariesFallOnTheFirstFrameAtOrAfterEachMultiple() {
        var b = SegmentBoundaries(duration: 4)
        let times = stride(from: 0.0, to: 12.5, by: 1.0 / 29.97).map { $0 }
        let starts = times.filter { b.startsSegment(at: $0) }
        XCTAssertEqual(starts.count, 4)
        for (n, t) in starts.enumerated() {
            XCTAssertGreaterThanOrEqual(t + 1e-9, Double(n) * 4)
            XCTAssertLessThan(t, Double(n) * 4 + 1 / 29.97)
        }
    }

    func testCodecStrings() {
        XCTAssertEqual(CodecString.avc(extradata: [0, 0, 0, 1, 0x67, 0x64, 0x00, 0x1f, 0xac]), "avc1.64001f")
        XCTAssertEqual(CodecString.avc(extradata: [1, 0x4d, 0x40, 0x1e, 0xff]), "avc1.4d401e")
        XCTAssertEqual(CodecString.mp4a(audioSpecificConfig: [0x11, 0x90]), "mp4a.40.2")
        XCTAssertEqual(CodecString.mp4a(audioSpecificConfig: [0x2b, 0x92, 0x08, 0x00]), "mp4a.40.5")
        XCTAssertNil(CodecString.avc(extradata: [0, 0, 1, 0x68]))
    }

    func testRepresentationIDsStayUnique() {
        let ids = LadderEncoder.representationIDs([Rung(width: 640, height: 360, bitrateKbps: 500),
                                                   Rung(width: 640, height: 360, bitrateKbps: 900),
                                                   Rung(width: 1280, height: 720, bitrateKbps: 2800)])
        XCTAssertEqual(ids, ["360p-500k", "360p-900k", "720p"])
    }

    func testThreadsFollowEachRungsShareOfThePixels() {
        XCTAssertEqual(ThreadBudget.x264Threads(for: Ladder.default, cores: 2), [1, 1, 1, 1, 2])
        XCTAssertEqual(ThreadBudget.x264Threads(for: Ladder.default, cores: 1), [1, 1, 1, 1, 1])
        XCTAssertEqual(ThreadBudget.x264Threads(for: Ladder.default, cores: 16), [1, 2, 3, 6, 14])
        XCTAssertEqual(ThreadBudget.x264Threads(for: [Ladder.default[2]], cores: 4), [6])
        XCTAssertEqual([1, 2, 8, 16].map { ThreadBudget.decoderThreads(cores: $0) }, [1, 1, 2, 3])
    }
}

/// What a reporter printed, collected from its write closure.
private final class LinesBox: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    func append(_ text: String) { lock.withLock { lines.append(text) } }
    var last: String { lock.withLock { lines.last ?? "" } }
}
