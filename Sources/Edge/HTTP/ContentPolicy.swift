import CMCD
import ContentLayout

/// What a path's type says about how it is served: its media type, how long caches may keep
/// it, and what CMSD says of it. Manifests may be re-encoded, so they stay fresh for seconds;
/// segments never change under the same name, so they are immutable for a year.
public struct ContentPolicy: Sendable, Equatable {
    public let contentType: String
    public let cacheControl: String
    /// Seconds a cache (the edge itself included) may serve it without asking its parent again.
    public let freshFor: Int
    /// The `CMSD-Static` value: object type, stream type (every title here is VOD) and, for a
    /// manifest, its streaming format. Segments are CMAF, shared by DASH and HLS: no format.
    public let serverData: String

    public static let manifestLifetime = 5
    public static let segmentLifetime = 31_536_000

    /// Prebuilt, since it runs for every request.
    public static func of(_ kind: ContentKind) -> ContentPolicy {
        switch kind {
        case .mediaSegment(let audio): return audio ? audioSegment : segment
        case .manifest: return manifest
        case .playlist: return playlist
        case .subtitles: return subtitles
        case .initSegment(let audio): return audio ? audioFile : videoFile
        case .segmentTable: return json
        case .image: return svg
        case .other: return other
        }
    }

    private static let manifest = fresh("application/dash+xml", .manifest, format: "d")
    private static let playlist = fresh("application/vnd.apple.mpegurl", .manifest, format: "h")
    private static let subtitles = immutable("text/vtt; charset=utf-8", .timedText)
    private static let json = fresh("application/json", .other)
    private static let segment = immutable("video/iso.segment", .video)
    private static let audioSegment = immutable("video/iso.segment", .audio)
    private static let videoFile = immutable("video/mp4", .initSegment)
    private static let audioFile = immutable("audio/mp4", .initSegment)
    private static let svg = ContentPolicy(contentType: "image/svg+xml", cacheControl: "public, max-age=60", freshFor: 60,
                                           serverData: serverData(.other))
    private static let other = ContentPolicy(contentType: "application/octet-stream", cacheControl: "public, max-age=60",
                                             freshFor: 60, serverData: serverData(.other))

    private static func fresh(_ type: String, _ object: CMCDData.ObjectType, format: String? = nil) -> ContentPolicy {
        ContentPolicy(contentType: type, cacheControl: "public, max-age=\(manifestLifetime)", freshFor: manifestLifetime,
                      serverData: serverData(object, format: format))
    }

    private static func immutable(_ type: String, _ object: CMCDData.ObjectType) -> ContentPolicy {
        ContentPolicy(contentType: type, cacheControl: "public, max-age=\(segmentLifetime), immutable", freshFor: segmentLifetime,
                      serverData: serverData(object))
    }

    private static func serverData(_ object: CMCDData.ObjectType, format: String? = nil) -> String {
        CMSDStatic(objectType: object, streamType: "v", streamingFormat: format).headerValue ?? ""
    }
}
