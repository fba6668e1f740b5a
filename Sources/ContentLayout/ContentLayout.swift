/// Where a title's files live, the one owner of the layout: under a root, `Manifests/` holds
/// what players open first (`<title>.mpd`, `<title>.m3u8`, `<title>.segments.json`, and the
/// steering variant the origin renders), `Media/<title>/<representation>/` holds the CMAF
/// files (`init.mp4` or `init.m4a`, `1.m4s`, `2.m4s` …, `playlist.m3u8`, `subtitles.vtt`). URL
/// paths are the same as paths on disk, so the folder can be served by any static server.
public enum ContentLayout {
    public static let manifestsFolder = "Manifests"
    public static let mediaFolder = "Media"
    public static let steeringSuffix = ".steering.mpd"
    public static let hlsSteeringSuffix = ".steering.m3u8"
    public static let mediaPlaylistName = "playlist.m3u8"
    /// A video representation's I-frame playlist (HLS trick play), beside its media playlist.
    public static let iFramePlaylistName = "iframes.m3u8"
    public static let subtitlesName = "subtitles.vtt"
    public static let segmentTemplate = "$Number$.m4s"

    public static func manifest(_ title: String) -> String { "\(manifestsFolder)/\(title).mpd" }
    public static func playlist(_ title: String) -> String { "\(manifestsFolder)/\(title).m3u8" }
    public static func segmentTable(_ title: String) -> String { "\(manifestsFolder)/\(title).segments.json" }
    public static func steeringVariant(_ title: String) -> String { "\(manifestsFolder)/\(title)\(steeringSuffix)" }
    public static func hlsSteeringVariant(_ title: String) -> String { "\(manifestsFolder)/\(title)\(hlsSteeringSuffix)" }
    public static func titleFolder(_ title: String) -> String { "\(mediaFolder)/\(title)" }

    /// The segment table beside a manifest (`x.mpd` → `x.segments.json`).
    public static func segmentTable(besideManifest path: String) -> String {
        (path.hasSuffix(".mpd") ? String(path.dropLast(4)) : path) + ".segments.json"
    }

    /// The init segment's name: the extension says what it carries, so a server knows an audio
    /// track's type without reading the manifest.
    public static func initSegment(audio: Bool) -> String { audio ? "init.m4a" : "init.mp4" }

    public static func segment(_ number: Int) -> String { "\(number).m4s" }

    /// Audio representations are named `audio…` (`audio`, `audio-eng`, `audio-51`), so a server
    /// tells an audio segment from a video one by its folder, as it does init segments by name.
    public static let audioRepresentationPrefix = "audio"

    /// A representation's folder as manifests and playlists in `Manifests/` refer to it.
    public static func representationURL(title: String, representation: String) -> String {
        "../\(titleFolder(title))/\(representation)/"
    }
}
