import ContentLayout
import Foundation
import MPD

/// One representation as encoded, everything the manifest and the report need.
struct EncodedRepresentation {
    enum Kind {
        case video(width: Int, height: Int, frameRate: String)
        case audio(sampleRate: Int, channels: Int, language: String?, isMain: Bool)
    }

    var isAudio: Bool {
        if case .audio = kind { return true }
        return false
    }

    let id: String
    let kind: Kind
    let targetKbps: Int
    let codecs: String
    let timescale: Int
    let segments: [EncodedSegment]
    let psnr: Double?

    var durations: [Double] { segments.map { Double($0.duration) / Double(timescale) } }
    var timeline: SegmentTimeline { SegmentTimeline(segments: segments.map { ($0.start, $0.duration) }) }

    /// Seconds from presentation time 0 to the end of the last sample.
    var presentationEnd: Double {
        guard let last = segments.last else { return 0 }
        return Double(last.start + last.duration) / Double(timescale)
    }

    func bandwidth(minBufferTime: Double) -> Int {
        BandwidthRequirement.minimumBandwidth(sizes: segments.map(\.bytes), durations: durations,
                                              minBufferTime: minBufferTime)
    }
}

/// A subtitle track written as one WebVTT file.
struct TextTrack {
    let id: String
    let language: String
    let bytes: Int
}

/// Turns encoded representations into the MPD, the Sabre segment table and the report rows.
struct ManifestBuilder {
    let title: String
    let segmentDuration: Double
    let video: [EncodedRepresentation]
    /// One AdaptationSet each: stereo first, then 5.1 when there is one.
    let audio: [EncodedRepresentation]
    var text: [TextTrack] = []

    private var all: [EncodedRepresentation] { video + audio }

    /// minBufferTime: one segment, the least a client must hold before it can start, and never
    /// more than the whole title (a player would wait for a buffer a short clip cannot fill).
    var minBufferTime: Double {
        let end = all.map(\.presentationEnd).max() ?? segmentDuration
        return min(segmentDuration, max(end, 0.001))
    }

    func manifest() -> Manifest {
        let sets = [videoSet()] + audio.enumerated().map { audioSet($1, id: $0 + 1) }
            + text.enumerated().map { textSet($1, id: audio.count + 1 + $0) }
        return Manifest(
            mediaPresentationDuration: all.map(\.presentationEnd).max() ?? 0,
            maxSegmentDuration: all.flatMap(\.durations).max() ?? 0,
            minBufferTime: minBufferTime,
            periods: [Period(adaptationSets: sets)])
    }

    /// The URLs are the paths on disk, relative to the manifest, so the output folder plays from
    /// any static web server as written.
    private func template(_ rep: EncodedRepresentation, id: String) -> SegmentTemplate {
        let folder = ContentLayout.representationURL(title: title, representation: id)
        return SegmentTemplate(timescale: rep.timescale, initialization: folder + ContentLayout.initSegment(audio: rep.isAudio),
                               media: folder + ContentLayout.segmentTemplate,
                               startNumber: 1, timeline: rep.timeline)
    }

    private func videoSet() -> AdaptationSet {
        // Every rung is cut from the same frames, so the timelines normally agree: say it once.
        let shared = video.dropFirst().allSatisfy {
            $0.timeline == video[0].timeline && $0.timescale == video[0].timescale
        }
        let reps = video.map { rep -> Representation in
            guard case let .video(width, height, frameRate) = rep.kind else { fatalError("not video") }
            return Representation(id: rep.id, bandwidth: rep.bandwidth(minBufferTime: minBufferTime),
                                  codecs: rep.codecs, width: width, height: height, frameRate: frameRate,
                                  sar: "1:1", segmentTemplate: shared ? nil : template(rep, id: rep.id))
        }
        return AdaptationSet(id: 0, contentType: .video, mimeType: "video/mp4",
                             segmentTemplate: shared ? template(video[0], id: "$RepresentationID$") : nil,
                             representations: reps)
    }

    private func audioSet(_ rep: EncodedRepresentation, id: Int) -> AdaptationSet {
        guard case let .audio(sampleRate, channels, language, isMain) = rep.kind else { fatalError("not audio") }
        let representation = Representation(
            id: rep.id, bandwidth: rep.bandwidth(minBufferTime: minBufferTime), codecs: rep.codecs,
            audioSamplingRate: sampleRate, audioChannels: channels)
        var set = AdaptationSet(id: id, contentType: .audio, mimeType: "audio/mp4", language: language ?? "und",
                                segmentTemplate: template(rep, id: rep.id), representations: [representation])
        set.role = isMain ? "main" : "alternate"
        return set
    }

    /// A sidecar WebVTT file: one Representation whose BaseURL is the file, as it sits on disk.
    private func textSet(_ track: TextTrack, id: Int) -> AdaptationSet {
        let duration = max(all.map(\.presentationEnd).max() ?? 1, 1)
        var representation = Representation(id: track.id, bandwidth: max(1, Int(Double(track.bytes * 8) / duration)), codecs: "")
        representation.baseURL = ContentLayout.representationURL(title: title, representation: track.id)
            + ContentLayout.subtitlesName
        var set = AdaptationSet(id: id, contentType: .text, mimeType: "text/vtt", language: track.language,
                                representations: [representation])
        set.role = "subtitle"
        return set
    }

    /// The media playlist of one representation, written into its own folder (so its URIs are
    /// the file names beside it).
    private func playlistURI(_ rep: EncodedRepresentation) -> String {
        ContentLayout.representationURL(title: title, representation: rep.id) + ContentLayout.mediaPlaylistName
    }

    /// A video representation's I-frames (one per segment); nil when a segment's first sample
    /// could not be located (then no I-frame playlist is written for it).
    func iFrames(_ rep: EncodedRepresentation) -> HLSPlaylists.IFrames? {
        guard !rep.isAudio else { return nil }
        var frames: [(uri: String, duration: Double, length: Int)] = []
        for (index, (segment, duration)) in zip(rep.segments, rep.durations).enumerated() {
            guard let length = segment.firstSampleEnd else { return nil }
            frames.append((ContentLayout.segment(index + 1), duration, length))
        }
        return HLSPlaylists.IFrames(initURI: ContentLayout.initSegment(audio: false), frames: frames)
    }

    /// A WebVTT sidecar's media playlist, the file as one segment as long as the title.
    func subtitlePlaylist() -> String {
        HLSPlaylists.subtitles(file: ContentLayout.subtitlesName, duration: max(all.map(\.presentationEnd).max() ?? 1, 1))
    }

    func mediaPlaylist(_ rep: EncodedRepresentation) -> String {
        HLSPlaylists.media(.init(initURI: ContentLayout.initSegment(audio: rep.isAudio),
                                 segments: zip(rep.segments.indices, rep.durations).map { (ContentLayout.segment($0 + 1), $1) }))
    }

    /// `Manifests/<title>.m3u8`: every video rung a variant, with the audio bandwidth of the
    /// main stereo rendition added; every audio rendition in the group. Peak bandwidth is the
    /// largest segment's bits over its duration, as HLS defines BANDWIDTH.
    func multivariantPlaylist() -> String {
        let mainAudio = audio.first
        let audioPeak = mainAudio.map { peakBitsPerSecond($0) } ?? 0
        let audioAverage = mainAudio.map { averageBitsPerSecond($0) } ?? 0
        let variants = video.map { rep -> HLSPlaylists.Variant in
            guard case let .video(width, height, frameRate) = rep.kind else { fatalError("not video") }
            let rate = frameRate.split(separator: "/").compactMap { Double($0) }
            return HLSPlaylists.Variant(
                uri: playlistURI(rep), peakBandwidth: peakBitsPerSecond(rep) + audioPeak,
                averageBandwidth: averageBitsPerSecond(rep) + audioAverage, codecs: rep.codecs, width: width, height: height,
                frameRate: rate.count == 2 ? rate[0] / rate[1] : rate.first ?? 0)
        }
        let renditions = audio.map { rep -> HLSPlaylists.Rendition in
            guard case let .audio(_, channels, language, isMain) = rep.kind else { fatalError("not audio") }
            let lang = language ?? "und"
            return HLSPlaylists.Rendition(uri: playlistURI(rep), language: lang,
                                          name: channels > 2 ? "\(lang) \(channels == 6 ? "5.1" : "\(channels) ch")" : lang,
                                          isDefault: isMain && channels == 2, channels: channels)
        }
        let iFrameVariants = video.compactMap { rep -> HLSPlaylists.IFrameVariant? in
            guard case let .video(width, height, _) = rep.kind, let frames = iFrames(rep) else { return nil }
            return HLSPlaylists.IFrameVariant(
                uri: ContentLayout.representationURL(title: title, representation: rep.id) + ContentLayout.iFramePlaylistName,
                playlist: frames, codecs: rep.codecs, width: width, height: height)
        }
        let subtitles = text.map { track in
            HLSPlaylists.Subtitles(uri: ContentLayout.representationURL(title: title, representation: track.id) + ContentLayout.mediaPlaylistName,
                                   language: track.language, name: track.language)
        }
        return HLSPlaylists.multivariant(variants: variants, audio: renditions, audioCodecs: mainAudio?.codecs, subtitles: subtitles,
                                         iFrames: iFrameVariants)
    }


    private func peakBitsPerSecond(_ rep: EncodedRepresentation) -> Int {
        Int(zip(rep.segments, rep.durations).map { $1 > 0 ? Double($0.bytes * 8) / $1 : 0 }.max()?.rounded(.up) ?? 0)
    }

    private func averageBitsPerSecond(_ rep: EncodedRepresentation) -> Int {
        let seconds = rep.durations.reduce(0, +)
        return seconds > 0 ? Int((Double(rep.segments.reduce(0) { $0 + $1.bytes } * 8) / seconds).rounded(.up)) : 0
    }

    /// Sabre's movie format over the video rungs, lowest bitrate first.
    func segmentTable() throws -> SegmentSizeTable {
        let levels = video.sorted { $0.targetKbps < $1.targetKbps }
        let count = levels.first?.segments.count ?? 0
        guard levels.allSatisfy({ $0.segments.count == count }) else {
            let counts = levels.map { "\($0.id): \($0.segments.count)" }.joined(separator: ", ")
            throw SegmenterError("rungs ended with different segment counts (\(counts))")
        }
        let sizes = (0..<count).map { n in levels.map { $0.segments[n].bytes * 8 } }
        return SegmentSizeTable(segmentDurationMs: Int((segmentDuration * 1000).rounded()),
                                bitratesKbps: levels.map(\.targetKbps), segmentSizesBits: sizes)
    }

    func reportRows() -> [EncodeReport.Row] {
        all.map { rep in
            let durations = rep.durations
            let total = durations.reduce(0, +)
            let bits = rep.segments.map { Double($0.bytes * 8) }
            let peak = zip(bits, durations).map { $1 > 0 ? $0 / $1 : 0 }.max() ?? 0
            var width: Int?, height: Int?
            if case let .video(w, h, _) = rep.kind { (width, height) = (w, h) }
            return EncodeReport.Row(id: rep.id, width: width, height: height, targetKbps: rep.targetKbps,
                                    averageKbps: total > 0 ? bits.reduce(0, +) / total / 1000 : 0,
                                    peakKbps: peak / 1000, bandwidth: rep.bandwidth(minBufferTime: minBufferTime),
                                    segments: rep.segments.count, psnr: rep.psnr)
        }
    }
}
