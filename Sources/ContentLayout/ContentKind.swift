/// What a file is, from its name (and, for a media segment, its representation's folder);
/// every server decides type, lifetime and the object type it reports in CMSD from it.
public enum ContentKind: Sendable, Equatable {
    case manifest
    case playlist
    case segmentTable
    case initSegment(audio: Bool)
    case mediaSegment(audio: Bool)
    case subtitles
    case image
    case other

    /// Runs for every request, so it looks at the bytes of the last path components.
    public init(fileName path: String) {
        var name = Substring(path).utf8
        var folder = name[name.startIndex..<name.startIndex]
        if let slash = name.lastIndex(of: UInt8(ascii: "/")) {
            folder = name[..<slash]
            name = name[name.index(after: slash)...]
        }
        if let slash = folder.lastIndex(of: UInt8(ascii: "/")) { folder = folder[folder.index(after: slash)...] }
        guard let dot = name.lastIndex(of: UInt8(ascii: ".")), dot != name.startIndex else { self = .other; return }
        let ext = name[name.index(after: dot)...]
        func isExtension(_ candidate: String) -> Bool {
            ext.elementsEqual(candidate.utf8) { ($0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0) == $1 }
        }
        if isExtension("m4s") { self = .mediaSegment(audio: folder.starts(with: ContentLayout.audioRepresentationPrefix.utf8)) }
        else if isExtension("mpd") { self = .manifest }
        else if isExtension("m3u8") { self = .playlist }
        else if isExtension("vtt") { self = .subtitles }
        else if isExtension("m4a") { self = .initSegment(audio: true) }
        else if isExtension("mp4") || isExtension("m4v") { self = .initSegment(audio: false) }
        else if isExtension("json") { self = .segmentTable }
        else if isExtension("svg") { self = .image }
        else { self = .other }
    }
}
