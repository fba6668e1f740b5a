import Foundation
import MPD
import XCTest

/// The MPD reader on the forms real packagers write: dashcdn's own manifests, the ffmpeg CLI's
/// dash muxer (template, timeline, list), Shaka-style SegmentBase, and hostile input.
final class MPDReadingTests: XCTestCase {
    let manifestURL = URL(string: "http://cdn.test/manifests/movie.mpd")!

    private func parse(_ xml: String, url: URL? = nil) throws -> MediaPresentation {
        try MPDParser.parse(Data(xml.utf8), url: url ?? manifestURL)
    }

    private func segments(_ representation: TrackRepresentation) -> [MediaSegment] {
        guard case .listed(_, let segments) = representation.addressing else { XCTFail("not listed"); return [] }
        return segments
    }

    private func urls(_ representation: TrackRepresentation) -> [String] {
        segments(representation).map { $0.reference.url(against: representation.bases[0].url)!.absoluteString }
    }

    func testOwnManifestRoundTripsThroughTheWriter() throws {
        let timeline = SegmentTimeline(segments: [(0, 4000), (4000, 4000), (8000, 2500)])
        let template = SegmentTemplate(timescale: 1000, initialization: "../media/movie/$RepresentationID$/init.mp4",
                                       media: "../media/movie/$RepresentationID$/$Number$.m4s", timeline: timeline)
        let manifest = Manifest(mediaPresentationDuration: 10.5, maxSegmentDuration: 4, minBufferTime: 4, periods: [
            Period(adaptationSets: [
                AdaptationSet(id: 0, contentType: .video, mimeType: "video/mp4", segmentTemplate: template, representations: [
                    Representation(id: "720p", bandwidth: 2_800_000, codecs: "avc1.64001f", width: 1280, height: 720),
                    Representation(id: "360p", bandwidth: 800_000, codecs: "avc1.64001e", width: 640, height: 360),
                ]),
                AdaptationSet(id: 1, contentType: .audio, mimeType: "audio/mp4", language: "en", segmentTemplate: template,
                              representations: [Representation(id: "audio", bandwidth: 130_000, codecs: "mp4a.40.2")]),
            ]),
        ])
        let presentation = try parse(MPDWriter.xml(manifest))
        XCTAssertEqual(presentation.duration, 10.5)
        let video = try XCTUnwrap(presentation.periods.first?.track(.video))
        XCTAssertEqual(video.representations.map(\.id), ["360p", "720p"], "lowest bandwidth first")
        XCTAssertEqual(video.representations[1].label, "720p")
        XCTAssertEqual(urls(video.representations[0]), ["http://cdn.test/media/movie/360p/1.m4s",
                                                        "http://cdn.test/media/movie/360p/2.m4s",
                                                        "http://cdn.test/media/movie/360p/3.m4s"])
        XCTAssertEqual(segments(video.representations[0]).map(\.duration), [4, 4, 2.5])
        XCTAssertEqual(segments(video.representations[0]).map(\.start), [0, 4, 8])
        guard case .listed(let initSegment, _) = video.representations[1].addressing else { return XCTFail() }
        XCTAssertEqual(initSegment?.url(against: manifestURL)?.absoluteString, "http://cdn.test/media/movie/720p/init.mp4")
        XCTAssertEqual(presentation.periods[0].track(.audio)?.language, "en")
    }

    func testNumberTemplateWithDurationAndWidthTag() throws {
        // What `ffmpeg -f dash -use_timeline 0` writes.
        let presentation = try parse("""
        <?xml version="1.0" encoding="utf-8"?>
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static"
             mediaPresentationDuration="PT9.5S" minBufferTime="PT4.0S">
          <Period id="0" start="PT0.0S">
            <AdaptationSet id="0" contentType="video" segmentAlignment="true">
              <Representation id="0" mimeType="video/mp4" codecs="avc1.64000d" bandwidth="300000" width="320" height="180">
                <SegmentTemplate timescale="1000000" duration="4000000" initialization="init-stream$RepresentationID$.m4s"
                                 media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1"/>
              </Representation>
            </AdaptationSet>
          </Period>
        </MPD>
        """)
        let representation = try XCTUnwrap(presentation.periods[0].track(.video)?.representations.first)
        XCTAssertEqual(urls(representation).map { URL(string: $0)!.lastPathComponent },
                       ["chunk-stream0-00001.m4s", "chunk-stream0-00002.m4s", "chunk-stream0-00003.m4s"])
        XCTAssertEqual(segments(representation).map(\.duration), [4, 4, 1.5], "the last segment ends with the period")
    }

    func testTimeTemplateWithOpenEndedRepeats() throws {
        // $Time$ addressing; r=-1 repeats up to the next S@t, then to the end of the period.
        let presentation = try parse("""
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT20S">
          <Period>
            <AdaptationSet mimeType="video/mp4">
              <SegmentTemplate timescale="90000" presentationTimeOffset="900000" media="v/$Bandwidth$/$Time$.m4s" initialization="v/init.mp4">
                <SegmentTimeline>
                  <S t="900000" d="360000" r="-1"/>
                  <S t="1980000" d="180000" r="-1"/>
                </SegmentTimeline>
              </SegmentTemplate>
              <Representation id="a" bandwidth="500000"/>
            </AdaptationSet>
          </Period>
        </MPD>
        """)
        let representation = try XCTUnwrap(presentation.periods[0].track(.video)?.representations.first)
        let list = segments(representation)
        XCTAssertEqual(list.map(\.duration), [4, 4, 4, 2, 2, 2, 2])
        XCTAssertEqual(list.map(\.start), [0, 4, 8, 12, 14, 16, 18], "times are relative to presentationTimeOffset")
        XCTAssertEqual(urls(representation).first, "http://cdn.test/manifests/v/500000/900000.m4s")
        XCTAssertEqual(urls(representation).last, "http://cdn.test/manifests/v/500000/2520000.m4s")
    }

    func testSegmentListWithByteRangesAndInheritedBaseURLs() throws {
        // `ffmpeg -f dash -single_file 1 -use_template 0` style: one file, SegmentURL@mediaRange;
        // BaseURLs at MPD, Period and Representation level, two alternatives at the top.
        let presentation = try parse("""
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S">
          <BaseURL serviceLocation="a">http://edge-a.test/content/</BaseURL>
          <BaseURL serviceLocation="b">http://edge-b.test:8082/content/</BaseURL>
          <Period duration="PT8S">
            <BaseURL>movie/</BaseURL>
            <AdaptationSet contentType="audio">
              <Representation id="aac" bandwidth="128000" codecs="mp4a.40.2">
                <BaseURL>audio.mp4</BaseURL>
                <SegmentList timescale="1000" duration="4000">
                  <Initialization range="0-799"/>
                  <SegmentURL mediaRange="800-50799"/>
                  <SegmentURL mediaRange="50800-99999"/>
                </SegmentList>
              </Representation>
            </AdaptationSet>
          </Period>
        </MPD>
        """)
        let representation = try XCTUnwrap(presentation.periods[0].track(.audio)?.representations.first)
        XCTAssertEqual(representation.bases.map(\.url.absoluteString),
                       ["http://edge-a.test/content/movie/audio.mp4", "http://edge-b.test:8082/content/movie/audio.mp4"])
        XCTAssertEqual(representation.bases.map(\.serviceLocation), ["a", "b"], "pathways are inherited")
        guard case .listed(let initSegment, let list) = representation.addressing else { return XCTFail() }
        XCTAssertEqual(initSegment?.range, 0...799)
        XCTAssertEqual(list.map(\.reference.range), [800...50799, 50800...99999])
        XCTAssertEqual(list.map(\.size), [50000, 49200], "byte ranges give exact sizes")
        XCTAssertEqual(list[1].reference.url(against: representation.bases[1].url)?.absoluteString,
                       "http://edge-b.test:8082/content/movie/audio.mp4")
    }

    func testSegmentBaseAndSeveralPeriods() throws {
        let presentation = try parse("""
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT30S">
          <Period id="ad" duration="PT10S">
            <AdaptationSet mimeType="video/mp4">
              <Representation id="ad-v" bandwidth="1000000"><BaseURL>ad.mp4</BaseURL>
                <SegmentBase indexRange="700-899"><Initialization range="0-699"/></SegmentBase>
              </Representation>
            </AdaptationSet>
          </Period>
          <Period id="main">
            <AdaptationSet mimeType="video/mp4">
              <SegmentTemplate timescale="1" duration="5" media="m$Number$.m4s"/>
              <Representation id="m" bandwidth="2000000"/>
            </AdaptationSet>
          </Period>
        </MPD>
        """)
        XCTAssertEqual(presentation.periods.map(\.id), ["ad", "main"])
        XCTAssertEqual(presentation.periods.map(\.start), [0, 10])
        XCTAssertEqual(presentation.periods.map(\.duration), [10, 20], "the last period runs to the presentation's end")
        guard case .indexed(let initSegment, let index) = presentation.periods[0].tracks[0].representations[0].addressing else {
            return XCTFail("SegmentBase should be indexed")
        }
        XCTAssertEqual(initSegment?.range, 0...699)
        XCTAssertEqual(index.range, 700...899)
        XCTAssertEqual(segments(presentation.periods[1].tracks[0].representations[0]).count, 4)
    }

    func testContentSteeringElement() throws {
        let presentation = try parse("""
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S">
          <BaseURL serviceLocation="edge-nyc">http://127.0.0.1:8081/manifests/</BaseURL>
          <ContentSteering defaultServiceLocation="edge-nyc" queryBeforeStart="true">http://127.0.0.1:8053/steering/movie</ContentSteering>
          <Period><AdaptationSet mimeType="video/mp4"><SegmentTemplate duration="4" media="$Number$.m4s"/>
            <Representation id="v" bandwidth="1"/></AdaptationSet></Period>
        </MPD>
        """)
        XCTAssertEqual(presentation.steering, SteeringDescriptor(serverURL: URL(string: "http://127.0.0.1:8053/steering/movie")!,
                                                                  defaultServiceLocation: "edge-nyc", queryBeforeStart: true))
    }

    func testMalformedManifestsAreRefusedWithAReason() {
        let cases: [(String, String)] = [
            ("<MPD><Period>", "not well-formed XML"),
            ("<html/>", "not <MPD>"),
            ("<MPD type=\"dynamic\"><Period/></MPD>", "dynamic"),
            ("<MPD mediaPresentationDuration=\"PT4S\"/>", "no Period"),
            ("<MPD><Period><AdaptationSet><Representation id=\"a\" bandwidth=\"1\"><SegmentTemplate duration=\"1\" media=\"$Number$\"/></Representation></AdaptationSet></Period></MPD>",
             "no known duration"),
            ("<MPD mediaPresentationDuration=\"PT4S\"><Period><AdaptationSet><Representation id=\"a\" bandwidth=\"1\"><SegmentTemplate duration=\"1\" media=\"$Nmber$\"/></Representation></AdaptationSet></Period></MPD>",
             "unknown identifier"),
            ("<MPD mediaPresentationDuration=\"4 seconds\"><Period/></MPD>", "not a duration"),
            ("<MPD mediaPresentationDuration=\"PT4S\"><Period><AdaptationSet><Representation id=\"a\"/></AdaptationSet></Period></MPD>",
             "no valid @bandwidth"),
            ("<MPD mediaPresentationDuration=\"PT4S\"><Period><AdaptationSet><Representation id=\"a\" bandwidth=\"1\"><SegmentTemplate media=\"$Number$\"/></Representation></AdaptationSet></Period></MPD>",
             "neither a SegmentTimeline nor a positive @duration"),
        ]
        for (xml, reason) in cases {
            XCTAssertThrowsError(try parse(xml), xml) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(error) should mention \(reason)")
            }
        }
    }

    func testAHostileRepeatCountIsBounded() throws {
        let presentation = try parse("""
        <MPD mediaPresentationDuration="PT4S"><Period><AdaptationSet mimeType="video/mp4"><Representation id="a" bandwidth="1">
          <SegmentTemplate media="$Time$"><SegmentTimeline><S d="1" r="2000000000"/></SegmentTimeline></SegmentTemplate>
        </Representation></AdaptationSet></Period></MPD>
        """)
        XCTAssertEqual(segments(presentation.periods[0].tracks[0].representations[0]).count, SegmentTimeline.maxSegments)
    }

    func testDurations() {
        XCTAssertEqual(ISODuration.seconds("PT1M2.5S"), 62.5)
        XCTAssertEqual(ISODuration.seconds("P1DT1H"), 90_000)
        XCTAssertEqual(ISODuration.seconds("PT0S"), 0)
        for bad in ["", "P", "PT", "1S", "PT1.5", "P1M", "PT1X"] { XCTAssertNil(ISODuration.seconds(bad), bad) }
    }

    func testSegmentIndexBox() throws {
        // A version-0 sidx after a 24-byte styp, with two references, read from offset 1000.
        var box: [UInt8] = []
        func u32(_ value: UInt32) { box += withUnsafeBytes(of: value.bigEndian, Array.init) }
        let styp: [UInt8] = [0, 0, 0, 24] + Array("styp".utf8) + Array(repeating: 0, count: 16)
        u32(0); box += Array("sidx".utf8)
        u32(0); u32(1); u32(90000)  // version/flags, reference_ID, timescale
        u32(180000); u32(100)  // earliest presentation time, first_offset
        box += [0, 0, 0, 2]  // reserved, reference_count
        u32(5000); u32(360000); u32(0x9000_0000)
        u32(7000); u32(270000); u32(0x9000_0000)
        box.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(box.count).bigEndian, Array.init))
        let references = try SegmentIndex.parse(styp + box, offset: 1000)
        let first = 1000 + styp.count + box.count + 100
        XCTAssertEqual(references.map(\.range), [first...(first + 4999), (first + 5000)...(first + 11999)])
        XCTAssertEqual(references.map(\.duration), [4, 3])
        XCTAssertEqual(SegmentIndex.segments(references, path: "").map(\.start), [0, 4])
        // A reference to another sidx (hierarchical) and a box cut short are refused.
        var hierarchical = box
        hierarchical[box.count - 24] |= 0x80
        XCTAssertThrowsError(try SegmentIndex.parse(hierarchical, offset: 0))
        XCTAssertThrowsError(try SegmentIndex.parse(Array(box.prefix(30)), offset: 0))
    }
}
