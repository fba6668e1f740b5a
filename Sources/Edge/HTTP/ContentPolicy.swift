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

    public static func forPath(_ path: String) -> ContentPolicy {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let ext = name.split(separator: ".").count > 1 ? String(name.split(separator: ".").last!).lowercased() : ""
        let inAudioFolder = path.split(separator: "/").dropLast().last.map { $0.lowercased().hasPrefix("audio") } ?? false
        switch ext {
        case "mpd":
            return ContentPolicy(contentType: "application/dash+xml", cacheControl: "public, max-age=\(manifestLifetime)",
                                 freshFor: manifestLifetime)
        case "m4s":
            return immutable("video/iso.segment")
        case "mp4", "m4a", "m4v":
            return immutable(inAudioFolder || ext == "m4a" ? "audio/mp4" : "video/mp4")
        case "json":
            return ContentPolicy(contentType: "application/json", cacheControl: "public, max-age=\(manifestLifetime)",
                                 freshFor: manifestLifetime)
        case "svg":
            return ContentPolicy(contentType: "image/svg+xml", cacheControl: "public, max-age=60", freshFor: 60)
        default:
            return ContentPolicy(contentType: "application/octet-stream", cacheControl: "public, max-age=60", freshFor: 60)
        }
    }

    private static func immutable(_ type: String) -> ContentPolicy {
        ContentPolicy(contentType: type, cacheControl: "public, max-age=\(segmentLifetime), immutable", freshFor: segmentLifetime)
    }
}
