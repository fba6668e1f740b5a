import ContentLayout
import Foundation
import MPD

/// `dashcdn hls`: the HLS playlists of an encode made before dashcdn wrote them, from its MPD and
/// the segments on disk (sizes for BANDWIDTH, each fragment's first sample for the I-frame
/// playlists), written exactly as `dashcdn encode` writes them today. Media playlists first,
/// the multivariant playlist last, each renamed into place when complete.
public enum PlaylistBackfill {
    /// The files written, and one notice per track left out (subtitles: their sidecars are not
    /// in the MPD's representation folders' layout the playlists are made from).
    public static func run(manifest path: String) throws -> (written: [String], notices: [String]) {
        let manifestURL = URL(fileURLWithPath: path).standardizedFileURL
        guard manifestURL.pathExtension == "mpd", manifestURL.deletingLastPathComponent().lastPathComponent == ContentLayout.manifestsFolder else {
            throw SegmenterError("\(path): expected Manifests/<title>.mpd of a dashcdn encode")
        }
        let title = manifestURL.deletingPathExtension().lastPathComponent
        let root = manifestURL.deletingLastPathComponent().deletingLastPathComponent()
        let presentation: MediaPresentation
        do {
            presentation = try MPDParser.parse(try Data(contentsOf: manifestURL), url: manifestURL)
        } catch let error as MPDError {
            throw SegmenterError("\(path): \(error.description)")
        } catch {
            throw SegmenterError("\(path): cannot read it")
        }
        guard presentation.periods.count == 1, let period = presentation.periods.first,
              let videoTrack = period.track(.video) else {
            throw SegmenterError("\(path): expected one period with video, as dashcdn encode writes")
        }
        let video = try videoTrack.representations.map { try encoded($0, track: videoTrack, root: root, title: title) }
        let audio = try period.tracks.filter { $0.kind == .audio }.flatMap { track in
            try track.representations.map { try encoded($0, track: track, root: root, title: title) }
        }
        let builder = ManifestBuilder(title: title, segmentDuration: video.flatMap(\.durations).max() ?? 4, video: video, audio: audio)
        var written: [String] = []
        for rep in video + audio {
            let folder = root.appendingPathComponent(ContentLayout.titleFolder(title)).appendingPathComponent(rep.id)
            written.append(try publish(builder.mediaPlaylist(rep), to: folder.appendingPathComponent(ContentLayout.mediaPlaylistName)))
            if let frames = builder.iFrames(rep) {
                written.append(try publish(HLSPlaylists.iFrames(frames), to: folder.appendingPathComponent(ContentLayout.iFramePlaylistName)))
            }
        }
        written.append(try publish(builder.multivariantPlaylist(), to: root.appendingPathComponent(ContentLayout.playlist(title))))
        let notices = period.tracks.filter { $0.kind == .other }.map {
            "notice: a \($0.role ?? "text") track (\($0.language ?? "und")) is left out of the playlists: dashcdn hls writes video and audio"
        }
        return (written, notices)
    }

    /// A representation as the encoder would have described it, from the MPD and its files.
    private static func encoded(_ rep: TrackRepresentation, track: MediaTrack, root: URL, title: String) throws -> EncodedRepresentation {
        let folder = root.appendingPathComponent(ContentLayout.titleFolder(title)).appendingPathComponent(rep.id)
        guard case .listed(_, let segments) = rep.addressing, !segments.isEmpty, let base = rep.bases.first?.url else {
            throw SegmenterError("Representation \(rep.id): no segment list (dashcdn encode writes a SegmentTemplate)")
        }
        let timescale = 1_000_000
        let isVideo = track.kind == .video
        let encodedSegments = try segments.enumerated().map { index, segment -> EncodedSegment in
            let file = folder.appendingPathComponent(ContentLayout.segment(index + 1))
            guard segment.reference.url(against: base)?.standardizedFileURL.path == file.standardizedFileURL.path else {
                throw SegmenterError("Representation \(rep.id): its segments are not \(ContentLayout.titleFolder(title))/\(rep.id)/<n>.m4s as dashcdn encode lays them out")
            }
            guard let bytes = FileManager.default.contents(atPath: file.path) else {
                throw SegmenterError("\(file.path): missing (the MPD lists \(segments.count) segments)")
            }
            return EncodedSegment(number: index + 1, start: Int64((segment.start * Double(timescale)).rounded()),
                                  duration: Int64((segment.duration * Double(timescale)).rounded()), bytes: bytes.count,
                                  firstSampleEnd: isVideo ? FragmentLayout.firstSampleEnd(Array(bytes)) : nil)
        }
        let kind: EncodedRepresentation.Kind = isVideo
            ? .video(width: rep.width ?? 0, height: rep.height ?? 0, frameRate: rep.frameRate ?? "0")
            : .audio(sampleRate: rep.audioSamplingRate ?? 48_000, channels: rep.audioChannels ?? 2, language: track.language,
                     isMain: track.role != "alternate")
        return EncodedRepresentation(id: rep.id, kind: kind, targetKbps: rep.bandwidth / 1000, codecs: rep.codecs ?? "",
                                     timescale: timescale, segments: encodedSegments, psnr: nil)
    }

    /// Writes beside the target, then renames: a reader sees the old file or the new one.
    private static func publish(_ text: String, to target: URL) throws -> String {
        let temporary = target.deletingLastPathComponent().appendingPathComponent(".\(target.lastPathComponent).partial-\(getpid())")
        guard (try? Data(text.utf8).write(to: temporary)) != nil, rename(temporary.path, target.path) == 0 else {
            try? FileManager.default.removeItem(at: temporary)
            throw SegmenterError("\(target.path): cannot write it")
        }
        return target.path
    }
}
