import Foundation
import MPD
import XCTest

/// The HLS reader: a multivariant playlist and its media playlists into the presentation model.
final class HLSReadingTests: XCTestCase {
    private let root = URL(string: "http://cdn.test/Manifests/movie.m3u8")!

    func testVariantsRenditionsAndByteRangesBecomeTracksAndSegments() throws {
        let multivariant = try HLSPlaylistReader.multivariant("""
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",LANGUAGE="fra",NAME="fra",DEFAULT=NO,URI="../Media/movie/audio-fra/playlist.m3u8"
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",LANGUAGE="eng",NAME="eng, main",DEFAULT=YES,URI="../Media/movie/audio-eng/playlist.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=2400000,CODECS="avc1.64001f,mp4a.40.2",RESOLUTION=1280x720,AUDIO="a"
        ../Media/movie/720p/playlist.m3u8
        #EXT-X-STREAM-INF:BANDWIDTH=800000,AVERAGE-BANDWIDTH=700000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,AUDIO="a"
        ../Media/movie/360p/playlist.m3u8
        #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="../Media/movie/360p/iframes.m3u8"
        """, url: root)
        XCTAssertEqual(multivariant.variants.map(\.bandwidth), [2_400_000, 800_000])
        XCTAssertEqual(multivariant.variants[0].codecs, "avc1.64001f,mp4a.40.2", "a quoted value keeps its commas")
        XCTAssertEqual(multivariant.audio.map(\.language), ["eng", "fra"], "the default rendition first")
        XCTAssertEqual(multivariant.playlists.count, 4, "I-frame playlists are not played")

        let media = try HLSPlaylistReader.media("""
        #EXTM3U
        #EXT-X-TARGETDURATION:4
        #EXT-X-MAP:URI="single.mp4",BYTERANGE="800@0"
        #EXTINF:4.0,
        #EXT-X-BYTERANGE:1000@800
        single.mp4
        #EXTINF:3.5,
        #EXT-X-BYTERANGE:500
        single.mp4
        #EXT-X-ENDLIST
        """, url: URL(string: "http://cdn.test/Media/movie/360p/playlist.m3u8")!)
        XCTAssertEqual(media.initialization, ResourceReference(path: "single.mp4", range: 0...799))
        XCTAssertEqual(media.segments.map(\.reference.range), [800...1799, 1800...2299], "no offset: right after the previous range")
        XCTAssertEqual(media.segments.map(\.start), [0, 4])

        var lists: [URL: HLSPlaylistReader.Media] = [:]
        for url in multivariant.playlists { lists[url] = media }
        let presentation = try HLSPlaylistReader.presentation(multivariant, media: lists)
        let video = try XCTUnwrap(presentation.periods.first?.track(.video))
        XCTAssertEqual(video.representations.map(\.height), [360, 720], "lowest bandwidth first")
        XCTAssertEqual(video.representations[0].bases.first?.url.absoluteString, "http://cdn.test/Media/movie/360p/playlist.m3u8")
        XCTAssertEqual(presentation.duration ?? 0, 7.5, accuracy: 1e-9)
        XCTAssertEqual(presentation.periods.first?.track(.audio)?.language, "eng")
    }

    func testLiveAndMalformedPlaylistsAreRefusedWithAReason() {
        let url = URL(string: "http://cdn.test/p.m3u8")!
        XCTAssertThrowsError(try HLSPlaylistReader.media("#EXTM3U\n#EXTINF:4,\n1.m4s\n", url: url)) {
            XCTAssertTrue("\($0)".contains("live"), "\($0)")
        }
        XCTAssertThrowsError(try HLSPlaylistReader.multivariant("#EXTM3U\n#EXT-X-STREAM-INF:CODECS=\"x\"\nv.m3u8\n", url: url)) {
            XCTAssertTrue("\($0)".contains("BANDWIDTH"), "\($0)")
        }
        XCTAssertThrowsError(try HLSPlaylistReader.multivariant("<MPD/>", url: url))
        XCTAssertThrowsError(try HLSPlaylistReader.media("#EXTM3U\n#EXTINF:4,\n#EXT-X-BYTERANGE:x@1\n1.m4s\n#EXT-X-ENDLIST\n", url: url))
    }
}
