import MPD
import TestSupport
import XCTest

final class SegmentTimelineTests: XCTestCase {
    func testRunsOfEqualDurationsCompressAndExpandBack() {
        let segments: [(start: Int64, duration: Int64)] = [(100, 10), (110, 10), (120, 10), (130, 7), (200, 5)]
        let timeline = SegmentTimeline(segments: segments)
        XCTAssertEqual(timeline.entries, [
            .init(start: 100, duration: 10, repeats: 2),
            .init(start: nil, duration: 7),
            .init(start: 200, duration: 5),
        ])
        XCTAssertEqual(timeline.segments.map(\.start), [100, 110, 120, 130, 200])
        XCTAssertEqual(timeline.segments.map(\.duration), [10, 10, 10, 7, 5])
    }
}

final class BandwidthRequirementTests: XCTestCase {
    func testConstantSegmentsNeedTheirOwnRate() {
        // 1 Mbit per 1 s segment with 1 s of buffer: exactly 1 Mbit/s.
        let b = BandwidthRequirement.minimumBandwidth(sizes: [125_000, 125_000, 125_000], durations: [1, 1, 1], minBufferTime: 1)
        XCTAssertEqual(b, 1_000_000)
    }

    func testABigLateSegmentRaisesTheRequirement() {
        // From segment 2 on: 4 Mbit must arrive within the 1 s buffer.
        let b = BandwidthRequirement.minimumBandwidth(sizes: [125_000, 500_000], durations: [1, 1], minBufferTime: 1)
        XCTAssertEqual(b, 4_000_000)
    }
}

final class MPDWriterTests: XCTestCase {
    func testDurationsAndEscaping() {
        XCTAssertEqual(MPDWriter.duration(4), "PT4.000S")
        XCTAssertEqual(MPDWriter.duration(59.9996), "PT60.000S")
        // Never below the truth: a 3.02933 s segment is not PT3.029S.
        XCTAssertEqual(MPDWriter.duration(3.02933), "PT3.030S")
        XCTAssertEqual(MPDWriter.duration(2.0000000000004), "PT2.000S")
        let mpd = Manifest(mediaPresentationDuration: 8, maxSegmentDuration: 4, minBufferTime: 4, periods: [
            Period(adaptationSets: [AdaptationSet(id: 0, contentType: .video, mimeType: "video/mp4", representations: [
                Representation(id: "a&b\"", bandwidth: 1000, codecs: "avc1.64001f", width: 640, height: 360, frameRate: "30", sar: "1:1"),
            ])]),
        ])
        let xml = MPDWriter.xml(mpd)
        XCTAssertTrue(xml.contains(#"id="a&amp;b&quot;""#), xml)
        XCTAssertTrue(xml.contains(#"mediaPresentationDuration="PT8.000S""#), xml)
    }
}

final class SegmentSizeTableTests: XCTestCase {
    func testReadsTheReferenceVideo() throws {
        let url = Paths.shared.appendingPathComponent("data/video/pensieve-48x4s.json")
        let table = try SegmentSizeTable.decode(Data(contentsOf: url))
        XCTAssertEqual(table.segmentDurationMs, 4000)
        XCTAssertEqual(table.bitratesKbps, [300, 750, 1200, 1850, 2850, 4300])
        XCTAssertEqual(table.segmentSizesBits.count, 48)
        XCTAssertEqual(try SegmentSizeTable.decode(table.encoded()), table)
    }
}
