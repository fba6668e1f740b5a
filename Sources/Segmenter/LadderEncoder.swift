import ContentLayout
import FFmpeg
import Foundation
import MPD

/// Encodes one source into a CMAF ladder: decodes once, hands every decoded frame to each rung's
/// thread (scale + x264 + fragmenting), encodes audio alongside, then writes the MPD and the
/// segment table and publishes all of it at once.
public enum LadderEncoder {
    public static func run(_ request: EncodeRequest, log: @escaping @Sendable (String) -> Void,
                           progress: ((Int, Double) -> ProgressReporter)? = nil) throws -> EncodeReport {
        guard EncodeRequest.validTitle(request.title) else {
            throw SegmenterError("bad title '\(request.title)': use letters, digits, '-', '_' and '.'")
        }
        guard request.segmentDuration >= 0.5, request.segmentDuration <= 60 else {
            throw SegmenterError("segment duration must be between 0.5 and 60 seconds")
        }
        FFmpegLog.quiet()
        let started = Date()
        let source = try SourceMedia(path: request.input, audio: request.audio)
        // Carried: one video stream, the audio chosen with --audio, text subtitles.
        let why = "not carried (a second video stream, audio left out by --audio, bitmap subtitles, data)"
        for stream in source.droppedStreams {
            if request.strict { throw SegmenterError("--strict: stream \(stream) of \(request.input) would be dropped: \(why)") }
            log("notice: dropping stream \(stream): \(why)")
        }
        let shown = source.displayed
        if source.video.colour.isHDR {
            log("notice: the source is HDR (\(source.video.colour.description)): tone-mapped to SDR BT.709 (zscale + tonemap mobius)")
        }
        if source.video.rotation != 0 {
            log("notice: turning the picture \(source.video.rotation)° clockwise, as the source's display matrix says "
                + "(\(source.video.width)x\(source.video.height) stored, \(shown.width)x\(shown.height) shown)")
        }
        let fitted = Ladder.fit(request.ladder, sourceWidth: shown.width, sourceHeight: shown.height,
                                sampleAspect: shown.sampleAspect, fillToSource: request.ladder == Ladder.default)
        for rung in fitted.dropped {
            log("notice: dropping rung \(rung): above the source's \(shown.width)x\(shown.height) (no upscaling)")
        }
        if let added = fitted.added {
            log("notice: adding rung \(added) at the source's own size (the default ladder's rungs above it were dropped)")
        }
        guard !fitted.kept.isEmpty else {
            throw SegmenterError("no ladder rung fits the \(shown.width)x\(shown.height) source")
        }
        let sidecars = try request.subtitleFiles.map { (file: $0, cues: try $0.cues()) }
        var request = request
        let requested = request.segmentDuration
        request.segmentDuration = segmentDuration(requested, forTitleOf: source.duration)
        if request.segmentDuration != requested {
            log(String(format: "notice: the title lasts %.2f s, less than two %g s segments: cut into %.3f s segments "
                       + "(dash.js does not start a presentation of one segment)", source.duration, requested, request.segmentDuration))
        }
        let publication = Publication(root: request.root, title: request.title)
        try publication.prepare()
        do {
            let report = try encode(request, source: source, sidecars: sidecars, rungs: fitted.kept, dropped: fitted.dropped,
                                    publication: publication, started: started, progress: progress, log: log)
            return report
        } catch {
            publication.discard()
            throw error
        }
    }

    /// `requested`, or half the title when it is shorter than two of them: dash.js 4.7 never
    /// starts playing a presentation of a single segment.
    static func segmentDuration(_ requested: Double, forTitleOf duration: Double) -> Double {
        duration > 0 && duration < 2 * requested ? duration / 2 : requested
    }

    private static func encode(_ request: EncodeRequest, source: SourceMedia, sidecars: [(file: SubtitleFile, cues: [SubtitleCue])],
                               rungs: [Rung], dropped: [Rung],
                               publication: Publication, started: Date,
                               progress: ((Int, Double) -> ProgressReporter)?,
                               log: (String) -> Void) throws -> EncodeReport {
        let frameRate = source.frameRate
        let ids = representationIDs(rungs)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let threads = request.threadsPerRung.map { Array(repeating: $0, count: rungs.count) }
            ?? ThreadBudget.x264Threads(for: rungs, cores: cores)
        let videoEncoders = try rungs.indices.map { index in
            try VideoRungEncoder(rung: rungs[index], id: ids[index], folder: publication.stagedFolder(ids[index]),
                                 settings: videoSettings(rungs[index], frameRate: frameRate, request: request,
                                                         threads: threads[index], colour: source.outputColour),
                                 measurePSNR: request.reportPSNR)
        }
        let audioEncoders = try audioRenditions(of: source).map { rendition in
            var settings = AudioEncoderSettings()
            settings.channels = rendition.channels
            settings.bitRate = Int64(request.audioBitrateKbps * Int(rendition.channels) / 2) * 1000
            let track = source.audioTracks[rendition.track]
            return (track: rendition.track, encoder: try AudioTrackEncoder(
                id: rendition.id, folder: publication.stagedFolder(rendition.id), settings: settings,
                segmentDuration: request.segmentDuration, language: track.language, isMain: rendition.track == 0))
        }
        let reporter = progress?(Int((source.duration * frameRate.double).rounded()), frameRate.double)
        let group = DispatchGroup()
        for encoder in videoEncoders {
            let thread = Thread { encoder.run(); group.leave() }
            thread.stackSize = 1 << 22
            group.enter()
            thread.start()
        }
        var boundaries = SegmentBoundaries(duration: request.segmentDuration)
        var subtitleCues = Array(repeating: [SubtitleCue](), count: source.subtitleTracks.count)
        let decodeResult = Result {
            try source.decode(
                videoThreads: ThreadBudget.decoderThreads(cores: cores),
                video: { frame, pts in
                    let starts = boundaries.startsSegment(at: Double(pts) * frameRate.inverted.double)
                    for encoder in videoEncoders { try encoder.feed(frame, pts: pts, startsSegment: starts) }
                    reporter?.update(videoEncoders.map { .init(name: $0.id, done: $0.progress) })
                },
                audio: { track, frame, start in
                    for rendition in audioEncoders where rendition.track == track { try rendition.encoder.push(frame, start: start) }
                },
                subtitles: { track, cues in subtitleCues[track] += cues })
        }
        if case .failure = decodeResult { videoEncoders.forEach { $0.queue.cancel() } }
        videoEncoders.forEach { $0.queue.put(.end) }
        while group.wait(timeout: .now() + 0.25) == .timedOut {
            reporter?.update(videoEncoders.map { .init(name: $0.id, done: $0.progress) })
        }
        reporter?.update(videoEncoders.map { .init(name: $0.id, done: $0.progress) }, force: true)
        let decoded = try decodeResult.get()
        if let error = videoEncoders.compactMap(\.error).first { throw error }
        for rendition in audioEncoders { try rendition.encoder.finish() }
        try source.checkComplete(decodedSeconds: decoded)
        if source.variableRate || source.repeated + source.dropped > 0 {
            log(String(format: "notice: %@frame timing: put on a constant %.3f fps grid at the pictures' own times "
                       + "(%d repeated, %d dropped)", source.variableRate ? String(format: "variable rate (average %.3f fps) ", source.video.frameRate.double) : "uneven ",
                       source.frameRate.double, source.repeated, source.dropped))
        }
        if source.deinterlaced {
            log("notice: the source is interlaced: its fields were woven into frames (bwdif) before scaling")
        }
        for audio in audioEncoders.map(\.encoder) where audio.channels == 2 {
            if audio.silenceAdded > 0 {
                log(String(format: "notice: %@: %.2f s of silence put where the source's sound starts late or pauses, to keep it in sync",
                           audio.id, audio.silenceAdded))
            }
            if audio.audioDropped > 0 {
                log(String(format: "notice: %@: the first %.2f s dropped: the sound starts before the picture", audio.id, audio.audioDropped))
            }
        }

        // The source's tracks are on its own clock (the video starts at videoStart); files beside
        // it count from the first picture.
        let text = try writeSubtitles(
            source.subtitleTracks.indices.map { (language: source.subtitleTracks[$0].languageCode, cues: subtitleCues[$0], offset: source.videoStart) }
                + sidecars.map { (language: $0.file.language, cues: $0.cues, offset: 0) },
            into: publication)
        let builder = ManifestBuilder(
            title: request.title, segmentDuration: request.segmentDuration,
            video: try videoEncoders.map { try describe($0, frameRate: frameRate) },
            audio: try audioEncoders.map { try describe($0.encoder) }, text: text)
        let mpd = MPDWriter.xml(builder.manifest())
        let table = try builder.segmentTable().encoded()
        for rep in builder.video + builder.audio {
            let folder = publication.stagedFolder(rep.id)
            try Data(builder.mediaPlaylist(rep).utf8).write(to: folder.appendingPathComponent(ContentLayout.mediaPlaylistName))
            if let frames = builder.iFrames(rep) {
                try Data(HLSPlaylists.iFrames(frames).utf8).write(to: folder.appendingPathComponent(ContentLayout.iFramePlaylistName))
            }
        }
        for track in text {
            try Data(builder.subtitlePlaylist().utf8)
                .write(to: publication.stagedFolder(track.id).appendingPathComponent(ContentLayout.mediaPlaylistName))
        }
        try publication.publish(mpd: mpd, playlist: builder.multivariantPlaylist(), table: table)
        return EncodeReport(title: request.title, rows: builder.reportRows(), dropped: dropped,
                            durationSeconds: builder.manifest().mediaPresentationDuration,
                            wallSeconds: Date().timeIntervalSince(started),
                            manifest: publication.manifest.path, playlist: publication.playlist.path,
                            segmentTable: publication.segmentTable.path,
                            mediaFolder: publication.mediaFolder.path)
    }

    /// Each text subtitle track as a WebVTT sidecar (`text-<lang>/subtitles.vtt`, staged with
    /// the media), on the video's timeline.
    private static func writeSubtitles(_ tracks: [(language: String, cues: [SubtitleCue], offset: Double)],
                                       into publication: Publication) throws -> [TextTrack] {
        let ids = trackIDs(languages: tracks.map(\.language), prefix: "text")
        return try tracks.indices.map { index in
            let id = ids[index]
            let document = WebVTT.document(tracks[index].cues, offset: tracks[index].offset)
            let folder = publication.stagedFolder(id)
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try Data(document.utf8).write(to: folder.appendingPathComponent(ContentLayout.subtitlesName))
            return TextTrack(id: id, language: tracks[index].language, bytes: document.utf8.count)
        }
    }

    /// Per audio track carried: stereo always (mixed down when the source has more channels), and
    /// 5.1 as well when the track has six channels or more, so a home cinema keeps its surround and
    /// every device gets a mix. One track is `audio` (and `audio-51`); several are told apart by
    /// language (`audio-eng`, `audio-fra-51`), or numbered in order where languages repeat (`audio-und-1`).
    static func audioRenditions(of source: SourceMedia) -> [(track: Int, id: String, channels: Int32)] {
        let tracks = source.audioTracks
        let prefix = ContentLayout.audioRepresentationPrefix
        let names = tracks.count == 1 ? [prefix] : trackIDs(languages: tracks.map(\.languageCode), prefix: prefix)
        return tracks.indices.flatMap { index -> [(track: Int, id: String, channels: Int32)] in
            let name = names[index]
            return tracks[index].channels >= 6 ? [(index, name, Int32(2)), (index, name + "-51", Int32(6))] : [(index, name, Int32(2))]
        }
    }

    /// `<prefix>-<language>` for each track, or `<prefix>-<language>-<n>` (n from 1, in order)
    /// where a language repeats.
    static func trackIDs(languages: [String], prefix: String) -> [String] {
        languages.indices.map { index in
            let language = languages[index].lowercased()
            let same = languages.indices.filter { languages[$0].lowercased() == language }
            return same.count == 1 ? "\(prefix)-\(language)" : "\(prefix)-\(language)-\(same.firstIndex(of: index)! + 1)"
        }
    }

    /// `240p`, `360p` … by the short side (a 1080x1920 portrait rung is `1080p`); a second rung
    /// of the same size gets its bitrate appended.
    static func representationIDs(_ rungs: [Rung]) -> [String] {
        rungs.map { rung in
            let sameSize = rungs.filter { $0.short == rung.short }.count
            return sameSize > 1 ? "\(rung.short)p-\(rung.bitrateKbps)k" : "\(rung.short)p"
        }
    }

    /// libx264 in capped VBR: average at the rung's rate, peaks up to 1.5×, a 2-second VBV buffer;
    /// keyframes only where we force them (every segment start) or at scene cuts.
    static func videoSettings(_ rung: Rung, frameRate: Rational, request: EncodeRequest, threads: Int,
                              colour: ColourTags = .bt709) -> VideoEncoderSettings {
        var s = VideoEncoderSettings(width: Int32(rung.width), height: Int32(rung.height),
                                     timeBase: frameRate.inverted, frameRate: frameRate)
        let bitRate = Int64(rung.bitrateKbps) * 1000
        s.bitRate = bitRate
        s.maxRate = bitRate * 3 / 2
        s.bufferSize = Int32(clamping: bitRate * 2)
        s.gopSize = Int32(max(1, (request.segmentDuration * frameRate.double * 2).rounded()))
        s.threads = Int32(threads)
        s.colour = colour
        s.options = ["preset": request.preset, "forced-idr": "1"]
        return s
    }

    private static func describe(_ encoder: VideoRungEncoder, frameRate: Rational) throws -> EncodedRepresentation {
        guard let codecs = CodecString.avc(extradata: encoder.encoder.extradata) else {
            throw SegmenterError("\(encoder.id): no H.264 parameter sets from the encoder")
        }
        let rate = frameRate.den == 1 ? "\(frameRate.num)" : "\(frameRate.num)/\(frameRate.den)"
        return EncodedRepresentation(
            id: encoder.id, kind: .video(width: Int(encoder.encoder.width), height: Int(encoder.encoder.height), frameRate: rate),
            targetKbps: encoder.rung.bitrateKbps, codecs: codecs, timescale: encoder.writer.timescale,
            segments: encoder.writer.segments,
            psnr: encoder.quality.psnr)
    }

    private static func describe(_ audio: AudioTrackEncoder) throws -> EncodedRepresentation {
        guard let codecs = CodecString.mp4a(audioSpecificConfig: audio.encoder.extradata) else {
            throw SegmenterError("audio: no AudioSpecificConfig from the encoder")
        }
        return EncodedRepresentation(
            id: audio.id, kind: .audio(sampleRate: Int(audio.encoder.sampleRate), channels: Int(audio.encoder.channels),
                                       language: audio.language, isMain: audio.isMain),
            targetKbps: Int(audio.encoder.bitRate / 1000), codecs: codecs, timescale: audio.writer.timescale,
            segments: audio.writer.segments, psnr: nil)
    }
}
