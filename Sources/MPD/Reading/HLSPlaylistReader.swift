import Foundation

/// Reads HLS (RFC 8216) into the same presentation model the MPD reader fills, so every rule,
/// routing mode, log and plot works for HLS too. Two steps, as a player fetches them: the
/// multivariant playlist names the media playlists; each media playlist lists its segments.
public enum HLSPlaylistReader {
    public struct Multivariant: Sendable {
        public struct Variant: Sendable {
            public var playlist: URL
            public var bandwidth: Int
            public var codecs: String?
            public var width: Int?
            public var height: Int?
            public var audioGroup: String?
            /// Content steering: the pathway (edge) this copy of the variant is served from.
            public var pathway: String?
        }

        public struct Rendition: Sendable {
            public var playlist: URL
            public var language: String?
            public var isDefault: Bool
            public var groupID: String?
        }

        public var variants: [Variant]
        public var audio: [Rendition]
        /// EXT-X-CONTENT-STEERING: the steering server and the default pathway.
        public var steering: SteeringDescriptor?

        /// Every media playlist to fetch: one per path, whichever pathway lists it first (each
        /// pathway serves the same playlist).
        public var playlists: [URL] {
            var seen: [String: URL] = [:]
            var out: [URL] = []
            for url in variants.map(\.playlist) + audio.map(\.playlist) where seen[url.path] == nil {
                seen[url.path] = url
                out.append(url)
            }
            return out
        }

        /// The pathway a rendition belongs to: that of the variants using its group.
        func pathway(of rendition: Rendition) -> String? {
            variants.first { $0.audioGroup != nil && $0.audioGroup == rendition.groupID }?.pathway
        }
    }

    /// One media playlist: its init segment (EXT-X-MAP) and segments, as references relative
    /// to the playlist's own URL.
    public struct Media: Sendable {
        public var initialization: ResourceReference?
        public var segments: [MediaSegment]
        public var targetDuration: Double
    }

    /// Whether a fetched body is a playlist rather than an MPD.
    public static func isPlaylist(_ data: Data) -> Bool {
        data.prefix(7).elementsEqual("#EXTM3U".utf8)
    }

    public static func multivariant(_ text: String, url: URL) throws -> Multivariant {
        let lines = try playlistLines(text)
        guard !lines.contains(where: { $0.hasPrefix("#EXTINF:") }) else {
            throw MPDError("\(url.lastPathComponent) is a media playlist; give the multivariant playlist")
        }
        var variants: [Multivariant.Variant] = []
        var audio: [Multivariant.Rendition] = []
        var steering: SteeringDescriptor?
        for (index, line) in lines.enumerated() {
            if let attributes = tag("#EXT-X-STREAM-INF:", line) {
                guard index + 1 < lines.count, !lines[index + 1].hasPrefix("#"), let playlist = URL(string: lines[index + 1], relativeTo: url)?.absoluteURL,
                      let bandwidth = attributes["BANDWIDTH"].flatMap(Int.init), bandwidth > 0 else {
                    throw MPDError("an EXT-X-STREAM-INF without a BANDWIDTH or a URI on the next line")
                }
                let size = attributes["RESOLUTION"]?.split(separator: "x").compactMap { Int($0) }
                variants.append(.init(playlist: playlist, bandwidth: bandwidth, codecs: attributes["CODECS"],
                                      width: size?.count == 2 ? size![0] : nil, height: size?.count == 2 ? size![1] : nil,
                                      audioGroup: attributes["AUDIO"], pathway: attributes["PATHWAY-ID"]))
            } else if let attributes = tag("#EXT-X-MEDIA:", line), attributes["TYPE"] == "AUDIO",
                      let uri = attributes["URI"], let playlist = URL(string: uri, relativeTo: url)?.absoluteURL {
                audio.append(.init(playlist: playlist, language: attributes["LANGUAGE"], isDefault: attributes["DEFAULT"] == "YES",
                                   groupID: attributes["GROUP-ID"]))
            } else if let attributes = tag("#EXT-X-CONTENT-STEERING:", line) {
                guard let uri = attributes["SERVER-URI"], let server = URL(string: uri, relativeTo: url)?.absoluteURL else {
                    throw MPDError("an EXT-X-CONTENT-STEERING without a SERVER-URI")
                }
                steering = SteeringDescriptor(serverURL: server, defaultServiceLocation: attributes["PATHWAY-ID"], queryBeforeStart: true)
            }
        }
        guard !variants.isEmpty else { throw MPDError("the multivariant playlist has no EXT-X-STREAM-INF variant") }
        return Multivariant(variants: variants, audio: audio.sorted { $0.isDefault && !$1.isDefault }, steering: steering)
    }

    public static func media(_ text: String, url: URL) throws -> Media {
        let lines = try playlistLines(text)
        guard !lines.contains("#EXT-X-I-FRAMES-ONLY") else { throw MPDError("\(url.lastPathComponent) is an I-frame playlist") }
        var initialization: ResourceReference?
        var segments: [MediaSegment] = []
        var pending: (duration: Double, range: (length: Int, offset: Int?)?)?
        var nextOffset: [String: Int] = [:]
        var start = 0.0
        var target = 0.0
        for line in lines {
            if let value = tag("#EXT-X-TARGETDURATION:", line, attributes: false) {
                target = Double(value.raw) ?? 0
            } else if let attributes = tag("#EXT-X-MAP:", line) {
                guard let uri = attributes["URI"] else { throw MPDError("an EXT-X-MAP without a URI") }
                initialization = ResourceReference(path: uri, range: try attributes["BYTERANGE"].map { text in
                    let range = try byteRange(text)
                    return (range.offset ?? 0)...((range.offset ?? 0) + range.length - 1)
                })
            } else if let value = tag("#EXTINF:", line, attributes: false) {
                guard let duration = Double(value.raw.split(separator: ",", maxSplits: 1).first ?? ""), duration >= 0 else {
                    throw MPDError("an EXTINF without a duration: \(line)")
                }
                pending = (duration, pending?.range)
            } else if let value = tag("#EXT-X-BYTERANGE:", line, attributes: false) {
                pending = (pending?.duration ?? 0, try byteRange(value.raw))
            } else if !line.hasPrefix("#") {
                guard let segment = pending else { throw MPDError("a segment URI without an EXTINF before it: \(line)") }
                // Without an offset a range starts right after the previous one of the same file.
                let range = segment.range.map { given -> ClosedRange<Int> in
                    let offset = given.offset ?? nextOffset[line] ?? 0
                    return offset...(offset + given.length - 1)
                }
                if let range { nextOffset[line] = range.upperBound + 1 }
                segments.append(MediaSegment(index: segments.count + 1, start: start, duration: segment.duration,
                                             reference: ResourceReference(path: line, range: range), size: range?.count))
                start += segment.duration
                pending = nil
            }
        }
        guard !segments.isEmpty else { throw MPDError("\(url.lastPathComponent) lists no segment") }
        guard lines.contains("#EXT-X-ENDLIST") else {
            throw MPDError("\(url.lastPathComponent) has no EXT-X-ENDLIST: a live playlist; dashcdn plays on-demand presentations")
        }
        return Media(initialization: initialization, segments: segments, targetDuration: target)
    }

    /// The presentation: one period, the variants as the video track (lowest bandwidth first),
    /// each audio rendition an audio track (the default first). Copies of a playlist on several
    /// pathways (content steering) are one representation with a base per pathway.
    public static func presentation(_ multivariant: Multivariant, media: [URL: Media]) throws -> MediaPresentation {
        func representation(_ copies: [(url: URL, pathway: String?)], bandwidth: Int, codecs: String?, width: Int?,
                            height: Int?) throws -> TrackRepresentation {
            guard let list = copies.lazy.compactMap({ media[$0.url] }).first else {
                throw MPDError("\(copies[0].url.absoluteString) was not read")
            }
            return TrackRepresentation(id: copies[0].url.deletingLastPathComponent().lastPathComponent, bandwidth: bandwidth,
                                       codecs: codecs, width: width, height: height,
                                       bases: copies.map { BaseLocation(url: $0.url, serviceLocation: $0.pathway) },
                                       addressing: .listed(initialization: list.initialization, segments: list.segments))
        }
        let variantsByPath = Dictionary(grouping: multivariant.variants, by: \.playlist.path)
        let video = try variantsByPath.values.map { copies in
            try representation(copies.map { ($0.playlist, $0.pathway) }, bandwidth: copies[0].bandwidth, codecs: copies[0].codecs,
                               width: copies[0].width, height: copies[0].height)
        }
        // EXT-X-MEDIA carries no bandwidth: an audio rendition is given 1 bit/s (a rate must be
        // positive), so the session's audio kbps reads 0 for HLS.
        var audioPaths: [String] = []
        for rendition in multivariant.audio where !audioPaths.contains(rendition.playlist.path) { audioPaths.append(rendition.playlist.path) }
        let audio = try audioPaths.map { path in
            let copies = multivariant.audio.filter { $0.playlist.path == path }
            return MediaTrack(kind: .audio, language: copies[0].language, representations: [
                try representation(copies.map { ($0.playlist, multivariant.pathway(of: $0)) }, bandwidth: 1, codecs: nil,
                                   width: nil, height: nil),
            ])
        }
        let lists = Array(media.values)
        let duration = lists.map { $0.segments.reduce(0) { $0 + $1.duration } }.max() ?? 0
        let tracks = [MediaTrack(kind: .video, language: nil, representations: video.sorted { $0.bandwidth < $1.bandwidth })] + audio
        return MediaPresentation(duration: duration, minBufferTime: lists.map(\.targetDuration).max() ?? 2,
                                 periods: [PresentationPeriod(id: "1", start: 0, duration: duration, tracks: tracks)],
                                 steering: multivariant.steering)
    }

    // MARK: syntax

    private static func playlistLines(_ text: String) throws -> [String] {
        let lines = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard lines.first == "#EXTM3U" else { throw MPDError("not an HLS playlist (no #EXTM3U first)") }
        return lines
    }

    /// A tag's value: its attribute list (RFC 8216 §4.2), or the raw text after the tag.
    private struct TagValue {
        let raw: String
        let attributes: [String: String]
        subscript(_ name: String) -> String? { attributes[name] }
    }

    private static func tag(_ name: String, _ line: String, attributes parse: Bool = true) -> TagValue? {
        guard line.hasPrefix(name) else { return nil }
        let raw = String(line.dropFirst(name.count))
        return TagValue(raw: raw, attributes: parse ? attributeList(raw) : [:])
    }

    /// `KEY=value,KEY="quoted, with commas"`.
    static func attributeList(_ text: String) -> [String: String] {
        var out: [String: String] = [:]
        var key = "", value = "", inKey = true, quoted = false
        func flush() {
            if !key.isEmpty { out[key] = value }
            (key, value, inKey) = ("", "", true)
        }
        for character in text {
            if inKey {
                if character == "=" { inKey = false } else if character != "," { key.append(character) }
            } else if character == "\"" {
                quoted.toggle()
            } else if character == ",", !quoted {
                flush()
            } else {
                value.append(character)
            }
        }
        flush()
        return out
    }

    /// `n[@o]`: a length, and the offset when given.
    private static func byteRange(_ text: String) throws -> (length: Int, offset: Int?) {
        let parts = text.split(separator: "@").map { Int($0) }
        guard let length = parts.first ?? nil, length > 0, parts.count <= 2 else { throw MPDError("a malformed byte range: \(text)") }
        guard parts.count == 2 else { return (length, nil) }
        guard let offset = parts[1], offset >= 0 else { throw MPDError("a malformed byte range: \(text)") }
        return (length, offset)
    }
}
