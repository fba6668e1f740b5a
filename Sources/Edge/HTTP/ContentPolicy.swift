import ContentLayout

/// What a path's type says about how it is served: its media type, and how long caches may keep
/// it. Manifests may be re-encoded, so they stay fresh for seconds; segments never change under
/// the same name, so they are immutable for a year.
public struct ContentPolicy: Sendable, Equatable {
    public let contentType: String
    public let cacheControl: String
    /// Seconds a cache (the edge itself included) may serve it without asking its parent again.
    public let freshFor: Int

    public static let manifestLifetime = 5
    public static let segmentLifetime = 31_536_000

    /// Prebuilt, since it runs for every request.
    public static func of(_ kind: ContentKind) -> ContentPolicy {
        switch kind {
        case .mediaSegment: return segment
        case .manifest: return manifest
        case .playlist: return playlist
        case .subtitles: return subtitles
        case .initSegment(let audio): return audio ? audioFile : videoFile
        case .segmentTable: return json
        case .image: return svg
        case .other: return other
        }
    }

    private static let manifest = ContentPolicy(contentType: "application/dash+xml",
                                                cacheControl: "public, max-age=\(manifestLifetime)", freshFor: manifestLifetime)
    private static let playlist = ContentPolicy(contentType: "application/vnd.apple.mpegurl",
                                                cacheControl: "public, max-age=\(manifestLifetime)", freshFor: manifestLifetime)
    private static let subtitles = immutable("text/vtt; charset=utf-8")
    private static let json = ContentPolicy(contentType: "application/json",
                                            cacheControl: "public, max-age=\(manifestLifetime)", freshFor: manifestLifetime)
    private static let segment = immutable("video/iso.segment")
    private static let videoFile = immutable("video/mp4")
    private static let audioFile = immutable("audio/mp4")
    private static let svg = ContentPolicy(contentType: "image/svg+xml", cacheControl: "public, max-age=60", freshFor: 60)
    private static let other = ContentPolicy(contentType: "application/octet-stream", cacheControl: "public, max-age=60", freshFor: 60)

    private static func immutable(_ type: String) -> ContentPolicy {
        ContentPolicy(contentType: type, cacheControl: "public, max-age=\(segmentLifetime), immutable", freshFor: segmentLifetime)
    }
}
