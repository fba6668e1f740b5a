import FFmpeg
import Foundation

/// Resamples, encodes (AAC-LC) and segments the audio, on the decoding thread: it is cheap.
/// Every segment holds the same number of AAC frames, the whole number nearest to D (4 s at
/// 48 kHz: 188 frames, 4.011 s), so the SegmentTimeline is one repeated entry as the video's is;
/// audio boundaries drift from the video's by under half a frame per segment, which DASH and HLS
/// allow (each adaptation set, each rendition, has its own timeline).
final class AudioTrackEncoder {
    /// `audio` for the stereo rendition, `audio-51` for the 5.1 one.
    let id: String
    let writer: RepresentationWriter
    let encoder: Encoder
    let language: String?
    private let resampler: Resampler
    /// AAC frames per segment, and frames written so far (the priming frame first).
    private let framesPerSegment: Int
    private var framesWritten = 0
    private var nextPts: Int64 = 0
    private let packet = Packet()
    /// Output samples queued so far, silence included and dropped samples not: where the next
    /// source sample falls on the video's timeline.
    private var queuedSamples: Int64 = 0
    /// Source samples still to drop (audio that starts before the video).
    private var toDiscard: Int32 = 0
    /// Seconds of silence put in where the source's audio started late or paused, and seconds
    /// of audio dropped before the video started: for the notice.
    private(set) var silenceAdded = 0.0
    private(set) var audioDropped = 0.0
    /// A hole in the source's audio shorter than this is left alone (timestamps jitter).
    private static let gapTolerance = 0.05

    /// The source's main audio track (Role main in the MPD; the others are alternates).
    let isMain: Bool
    var channels: Int32 { encoder.channels }

    init(id: String, folder: URL, settings: AudioEncoderSettings, segmentDuration: Double, language: String?,
         isMain: Bool) throws {
        self.id = id
        self.isMain = isMain
        encoder = try Encoder(audio: settings)
        resampler = Resampler(sampleRate: settings.sampleRate, channels: settings.channels)
        writer = try RepresentationWriter(folder: folder, encoder: encoder, audio: true)
        framesPerSegment = max(1, Int((segmentDuration * Double(settings.sampleRate) / Double(encoder.frameSize)).rounded()))
        self.language = language
    }

    /// `frame`, which starts `start` seconds after the video's first picture: audio that starts
    /// late or pauses is preceded by silence, audio from before the video is dropped, so the
    /// sound stays where it was against the picture.
    func push(_ frame: Frame, start: Double?) throws {
        let rate = Double(encoder.sampleRate)
        if let start {
            let gap = start - Double(queuedSamples) / rate
            if gap > Self.gapTolerance {
                let silence = Int32(gap * rate)
                try resampler.insertSilence(silence)
                queuedSamples += Int64(silence)
                silenceAdded += gap
            } else if queuedSamples == 0, gap < -Self.gapTolerance {
                toDiscard = Int32(-gap * rate)
                audioDropped = max(audioDropped, -gap)
            }
        }
        let before = resampler.buffered
        try resampler.push(frame)
        queuedSamples += Int64(resampler.buffered - before)
        if toDiscard > 0 {
            let dropped = resampler.discard(toDiscard)
            toDiscard -= dropped
            queuedSamples -= Int64(dropped)
        }
        try encodeBuffered(flushing: false)
    }

    func finish() throws {
        try resampler.push(nil)
        try encodeBuffered(flushing: true)
        try encoder.send(nil)
        try drain()
        try writer.finish()
    }

    private func encodeBuffered(flushing: Bool) throws {
        let size = encoder.frameSize
        while resampler.buffered >= size || (flushing && resampler.buffered > 0) {
            guard let frame = try resampler.pop(size) else { break }
            frame.pts = nextPts
            nextPts += Int64(frame.sampleCount)
            try encoder.send(frame)
            try drain()
        }
    }

    private func drain() throws {
        while try encoder.receive(into: packet) {
            if packet.duration == 0 { packet.duration = Int64(encoder.frameSize) }
            // Counted from the priming frame (negative time): segment n starts at media time
            // (n-1)·framesPerSegment·1024 exactly.
            try writer.write(packet, startsSegment: framesWritten % framesPerSegment == 0)
            framesWritten += 1
        }
    }
}
