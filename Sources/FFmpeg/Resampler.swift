import CFFmpeg

/// Owns a libswresample context converting any decoded audio to planar float at one rate and
/// channel count, and a FIFO that cuts the result into frames of the encoder's frame size.
public final class Resampler {
    private var swr: OpaquePointer?
    private let fifo: OpaquePointer
    public let sampleRate: Int32
    public let channels: Int32

    public init(sampleRate: Int32, channels: Int32) {
        self.sampleRate = sampleRate
        self.channels = channels
        guard let f = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, channels, 4096) else {
            fatalError("av_audio_fifo_alloc: out of memory")
        }
        fifo = f
    }

    deinit {
        swr_free(&swr)
        av_audio_fifo_free(fifo)
    }

    private func setUp(for frame: Frame) throws {
        var outLayout = AVChannelLayout()
        av_channel_layout_default(&outLayout, channels)
        defer { av_channel_layout_uninit(&outLayout) }
        try check(swr_alloc_set_opts2(&swr, &outLayout, AV_SAMPLE_FMT_FLTP, sampleRate,
                                      &frame.pointer.pointee.ch_layout, AVSampleFormat(frame.format),
                                      frame.sampleRate, 0, nil),
                  "audio resampler setup")
        try check(swr_init(swr), "audio resampler setup")
    }

    /// Converts `frame` (or flushes with nil) and queues the result.
    public func push(_ frame: Frame?) throws {
        if swr == nil {
            guard let frame else { return }
            try setUp(for: frame)
        }
        let inSamples = frame?.sampleCount ?? 0
        let capacity = swr_get_out_samples(swr, inSamples)
        guard capacity > 0 else { return }
        let out = try makeFrame(samples: capacity)
        let converted: Int32 = try withInputPlanes(frame) { input in
            out.pointer.pointee.extended_data.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: Int(channels)) { outPlanes in
                swr_convert(swr, outPlanes, capacity, input, inSamples)
            }
        }
        try check(converted, "audio resampling")
        let written = out.pointer.pointee.extended_data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: Int(channels)) {
            av_audio_fifo_write(fifo, $0, converted)
        }
        try check(written, "audio FIFO")
    }

    private func withInputPlanes<T>(_ frame: Frame?, _ body: (UnsafeMutablePointer<UnsafePointer<UInt8>?>?) throws -> T) rethrows -> T {
        guard let frame else { return try body(nil) }
        return try frame.pointer.pointee.extended_data.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) {
            try body($0)
        }
    }

    /// An empty planar-float frame of this resampler's rate and channels.
    private func makeFrame(samples: Int32) throws -> Frame {
        let out = Frame()
        out.pointer.pointee.nb_samples = samples
        out.pointer.pointee.format = AV_SAMPLE_FMT_FLTP.rawValue
        out.pointer.pointee.sample_rate = sampleRate
        av_channel_layout_default(&out.pointer.pointee.ch_layout, channels)
        try check(av_frame_get_buffer(out.pointer, 0), "audio buffer")
        return out
    }

    /// Queues `count` samples of silence, as if they had been converted.
    public func insertSilence(_ count: Int32) throws {
        guard count > 0 else { return }
        let silence = try makeFrame(samples: count)
        av_samples_set_silence(silence.pointer.pointee.extended_data, 0, count, channels, AV_SAMPLE_FMT_FLTP)
        let written = silence.pointer.pointee.extended_data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: Int(channels)) {
            av_audio_fifo_write(fifo, $0, count)
        }
        try check(written, "audio FIFO")
    }

    /// Drops up to `count` of the samples waiting; returns how many went.
    public func discard(_ count: Int32) -> Int32 {
        let dropped = min(count, buffered)
        if dropped > 0 { av_audio_fifo_drain(fifo, dropped) }
        return dropped
    }

    /// Samples waiting in the FIFO.
    public var buffered: Int32 { av_audio_fifo_size(fifo) }

    /// Takes `count` samples (fewer at the end) as a frame; nil when the FIFO is empty.
    public func pop(_ count: Int32) throws -> Frame? {
        let n = min(count, buffered)
        guard n > 0 else { return nil }
        let out = try makeFrame(samples: n)
        let read = out.pointer.pointee.extended_data.withMemoryRebound(to: UnsafeMutableRawPointer?.self, capacity: Int(channels)) {
            av_audio_fifo_read(fifo, $0, n)
        }
        try check(read, "audio FIFO")
        return out
    }
}
