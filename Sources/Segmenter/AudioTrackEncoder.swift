import FFmpeg
import Foundation

/// Resamples, encodes (AAC-LC) and segments the audio, on the decoding thread: it is cheap.
/// Segments start at the first audio frame at or after n·D, as the video's do.
final class AudioTrackEncoder {
    let id = "audio"
    let writer: RepresentationWriter
    let encoder: Encoder
    let language: String?
    private let resampler: Resampler
    private var boundaries: SegmentBoundaries
    private var nextPts: Int64 = 0
    private let packet = Packet()

    init(folder: URL, settings: AudioEncoderSettings, segmentDuration: Double, language: String?) throws {
        encoder = try Encoder(audio: settings)
        resampler = Resampler(sampleRate: settings.sampleRate, channels: settings.channels)
        writer = try RepresentationWriter(folder: folder, encoder: encoder)
        boundaries = SegmentBoundaries(duration: segmentDuration)
        self.language = language
    }

    func push(_ frame: Frame) throws {
        try resampler.push(frame)
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
        let rate = Double(encoder.sampleRate)
        while try encoder.receive(into: packet) {
            if packet.duration == 0 { packet.duration = Int64(encoder.frameSize) }
            // Priming samples come first with negative times; they belong to segment 1.
            let time = max(0, Double(packet.pts) / rate)
            try writer.write(packet, startsSegment: boundaries.startsSegment(at: time))
        }
    }
}
