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

    /// Called for every request, so it looks at bytes and hands out prebuilt policies.
    public static func forPath(_ path: String) -> ContentPolicy {
        var name = Substring(path).utf8
        if let slash = name.lastIndex(of: UInt8(ascii: "/")) { name = name[name.index(after: slash)...] }
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot != name.startIndex else { return other }
        let ext = name[name.index(after: dot)...]
        func isExtension(_ candidate: String) -> Bool {
            ext.elementsEqual(candidate.utf8) { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 == $1 : $0 == $1 }
        }
        if isExtension("m4s") { return segment }
        if isExtension("mpd") { return manifest }
        if isExtension("m3u8") { return playlist }
        if isExtension("vtt") { return subtitles }
        if isExtension("m4a") { return audioFile }
        if isExtension("mp4") || isExtension("m4v") { return inAudioFolder(path) ? audioFile : videoFile }
        if isExtension("json") { return json }
        if isExtension("svg") { return svg }
        return other
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

    /// An init segment in a folder named audio… (`Media/<title>/audio/init.mp4`) is audio.
    private static func inAudioFolder(_ path: String) -> Bool {
        let folders = path.split(separator: "/").dropLast()
        return folders.last.map { $0.lowercased().hasPrefix("audio") } ?? false
    }
}
