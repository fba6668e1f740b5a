import Foundation

/// HLS (RFC 8216, version 7) playlists over the same CMAF segments the MPD describes: a media
/// playlist per representation and one multivariant playlist, for the players that read HLS only
/// (Safari, iOS, tvOS, most smart TVs).
public enum HLSPlaylists {
    /// One representation's segments, in order.
    public struct Media: Sendable {
        public var initURI: String
        /// Each segment's URI and duration in seconds.
        public var segments: [(uri: String, duration: Double)]

        public init(initURI: String, segments: [(uri: String, duration: Double)]) {
            self.initURI = initURI
            self.segments = segments
        }
    }

    public struct Variant: Sendable {
        public var uri: String
        /// Peak and average bits per second over the variant's segments, its audio's added.
        public var peakBandwidth: Int
        public var averageBandwidth: Int
        public var codecs: String
        public var width: Int
        public var height: Int
        public var frameRate: Double

        public init(uri: String, peakBandwidth: Int, averageBandwidth: Int, codecs: String, width: Int, height: Int,
                    frameRate: Double) {
            self.uri = uri
            self.peakBandwidth = peakBandwidth
            self.averageBandwidth = averageBandwidth
            self.codecs = codecs
            self.width = width
            self.height = height
            self.frameRate = frameRate
        }
    }

    public struct Rendition: Sendable {
        public var uri: String
        public var language: String
        public var name: String
        public var isDefault: Bool
        public var channels: Int

        public init(uri: String, language: String, name: String, isDefault: Bool, channels: Int) {
            self.uri = uri
            self.language = language
            self.name = name
            self.isDefault = isDefault
            self.channels = channels
        }
    }

    /// A VOD media playlist: EXT-X-MAP for the init segment, EXTINF with the real durations,
    /// EXT-X-TARGETDURATION the rounded-up longest (never below any EXTINF).
    public static func media(_ media: Media) -> String {
        vod(tags: ["#EXT-X-INDEPENDENT-SEGMENTS", "#EXT-X-MAP:URI=\"\(media.initURI)\""],
            entries: media.segments.map { ($0.duration, [$0.uri]) })
    }

    /// A VOD playlist: the header every playlist here starts with (TARGETDURATION the rounded-up
    /// longest entry, so never below any EXTINF), `tags`, each entry's EXTINF and lines, ENDLIST.
    private static func vod(tags: [String], entries: [(duration: Double, lines: [String])]) -> String {
        let target = max(1, Int((entries.map(\.duration).max() ?? 1).rounded(.up)))
        var lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:\(target)", "#EXT-X-MEDIA-SEQUENCE:1",
                     "#EXT-X-PLAYLIST-TYPE:VOD"] + tags
        for entry in entries {
            lines.append(String(format: "#EXTINF:%.6f,", entry.duration))
            lines += entry.lines
        }
        lines.append("#EXT-X-ENDLIST")
        return lines.joined(separator: "\n") + "\n"
    }

    /// A subtitle rendition: a WebVTT file as one segment.
    public struct Subtitles: Sendable {
        public var uri: String
        public var language: String
        public var name: String

        public init(uri: String, language: String, name: String) {
            self.uri = uri
            self.language = language
            self.name = name
        }
    }

    /// The media playlist of a WebVTT sidecar: the whole file as one segment as long as the title.
    public static func subtitles(file: String, duration: Double) -> String {
        vod(tags: [], entries: [(duration, [file])])
    }

    /// One I-frame per segment (the IDR that opens it), as a byte range from the segment's
    /// start (its `moof` included) to the end of that sample.
    public struct IFrames: Sendable {
        public var initURI: String
        public var frames: [(uri: String, duration: Double, length: Int)]

        public init(initURI: String, frames: [(uri: String, duration: Double, length: Int)]) {
            self.initURI = initURI
            self.frames = frames
        }

        /// BANDWIDTH as HLS defines it for I-frame playlists: the largest I-frame's bits over the
        /// time until the next.
        public var peakBandwidth: Int {
            Int(frames.map { $0.duration > 0 ? Double($0.length * 8) / $0.duration : 0 }.max()?.rounded(.up) ?? 0)
        }

        public var averageBandwidth: Int {
            let seconds = frames.reduce(0) { $0 + $1.duration }
            return seconds > 0 ? Int((Double(frames.reduce(0) { $0 + $1.length } * 8) / seconds).rounded(.up)) : 0
        }
    }

    /// An I-frame playlist (RFC 8216 §4.3.3.6), for scrubbing and trick play.
    public static func iFrames(_ playlist: IFrames) -> String {
        vod(tags: ["#EXT-X-INDEPENDENT-SEGMENTS", "#EXT-X-I-FRAMES-ONLY", "#EXT-X-MAP:URI=\"\(playlist.initURI)\""],
            entries: playlist.frames.map { ($0.duration, ["#EXT-X-BYTERANGE:\($0.length)@0", $0.uri]) })
    }

    /// An I-frame variant of the multivariant playlist.
    public struct IFrameVariant: Sendable {
        public var uri: String
        public var playlist: IFrames
        public var codecs: String
        public var width: Int
        public var height: Int

        public init(uri: String, playlist: IFrames, codecs: String, width: Int, height: Int) {
            self.uri = uri
            self.playlist = playlist
            self.codecs = codecs
            self.width = width
            self.height = height
        }
    }

    /// The multivariant playlist: every audio rendition in one group (the default first), every
    /// subtitle rendition in another, every video variant with its bandwidths, codecs (its own
    /// and the audio's), size and rate, then the I-frame variants.
    public static func multivariant(variants: [Variant], audio: [Rendition], audioCodecs: String?,
                                    subtitles: [Subtitles] = [], iFrames: [IFrameVariant] = []) -> String {
        var lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
        for rendition in audio {
            lines.append("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio\",LANGUAGE=\"\(rendition.language)\",NAME=\"\(rendition.name)\","
                + "DEFAULT=\(rendition.isDefault ? "YES" : "NO"),AUTOSELECT=YES,CHANNELS=\"\(rendition.channels)\",URI=\"\(rendition.uri)\"")
        }
        for track in subtitles {
            lines.append("#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID=\"subtitles\",LANGUAGE=\"\(track.language)\",NAME=\"\(track.name)\","
                + "DEFAULT=NO,AUTOSELECT=YES,URI=\"\(track.uri)\"")
        }
        for variant in variants.sorted(by: { $0.peakBandwidth < $1.peakBandwidth }) {
            let codecs = [variant.codecs] + (audioCodecs.map { [$0] } ?? [])
            var attributes = "BANDWIDTH=\(variant.peakBandwidth),AVERAGE-BANDWIDTH=\(variant.averageBandwidth),"
                + "CODECS=\"\(codecs.joined(separator: ","))\",RESOLUTION=\(variant.width)x\(variant.height),"
                + String(format: "FRAME-RATE=%.3f", variant.frameRate)
            if !audio.isEmpty { attributes += ",AUDIO=\"audio\"" }
            if !subtitles.isEmpty { attributes += ",SUBTITLES=\"subtitles\"" }
            lines.append("#EXT-X-STREAM-INF:" + attributes)
            lines.append(variant.uri)
        }
        for variant in iFrames.sorted(by: { $0.playlist.peakBandwidth < $1.playlist.peakBandwidth }) {
            lines.append("#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=\(variant.playlist.peakBandwidth),"
                + "AVERAGE-BANDWIDTH=\(variant.playlist.averageBandwidth),CODECS=\"\(variant.codecs)\","
                + "RESOLUTION=\(variant.width)x\(variant.height),URI=\"\(variant.uri)\"")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
