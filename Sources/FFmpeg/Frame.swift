import CFFmpeg

/// Owns one AVFrame. A frame is handed from thread to thread (decoder to encoders) but never used
/// by two at once; `reference()` gives each consumer its own frame over the same refcounted buffers.
public final class Frame: Sendable {
    /// Used by one thread at a time, as said above: the one place the compiler takes our word.
    nonisolated(unsafe) public let pointer: UnsafeMutablePointer<AVFrame>

    public init() {
        guard let frame = av_frame_alloc() else { fatalError("av_frame_alloc: out of memory") }
        pointer = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = pointer
        av_frame_free(&frame)
    }

    /// A new frame sharing this one's data buffers (no pixel copy).
    public func reference() throws -> Frame {
        let copy = Frame()
        try check(av_frame_ref(copy.pointer, pointer), "av_frame_ref")
        return copy
    }

    public func unref() { av_frame_unref(pointer) }

    public var pts: Int64 {
        get { pointer.pointee.pts }
        set { pointer.pointee.pts = newValue }
    }

    /// The decoder's best guess of the presentation time, in the stream's time base.
    public var bestEffortTimestamp: Int64 { pointer.pointee.best_effort_timestamp }
    public var width: Int32 { pointer.pointee.width }
    public var height: Int32 { pointer.pointee.height }
    public var format: Int32 { pointer.pointee.format }
    public var sampleCount: Int32 { pointer.pointee.nb_samples }
    /// The decoder found this picture coded as two fields.
    public var isInterlaced: Bool { pointer.pointee.interlaced_frame != 0 }
    public var sampleRate: Int32 { pointer.pointee.sample_rate }

    /// Sums of squared differences per plane (Y, U, V) between two 8-bit 4:2:0 pictures of one size.
    public func squaredErrors(against other: Frame) -> [UInt64] {
        let a = pointer.pointee, b = other.pointer.pointee
        precondition(a.width == b.width && a.height == b.height, "frames of different sizes")
        let planes = [(Int(a.width), Int(a.height)), (Int(a.width + 1) / 2, Int(a.height + 1) / 2),
                      (Int(a.width + 1) / 2, Int(a.height + 1) / 2)]
        return withUnsafeBytes(of: a.data) { aData in
            withUnsafeBytes(of: b.data) { bData in
                planes.enumerated().map { index, size in
                    let pa = aData.load(fromByteOffset: index * MemoryLayout<UnsafeMutablePointer<UInt8>?>.stride,
                                        as: UnsafeMutablePointer<UInt8>?.self)!
                    let pb = bData.load(fromByteOffset: index * MemoryLayout<UnsafeMutablePointer<UInt8>?>.stride,
                                        as: UnsafeMutablePointer<UInt8>?.self)!
                    let strideA = Int(withUnsafeBytes(of: a.linesize) { $0.load(fromByteOffset: index * 4, as: Int32.self) })
                    let strideB = Int(withUnsafeBytes(of: b.linesize) { $0.load(fromByteOffset: index * 4, as: Int32.self) })
                    var sum: UInt64 = 0
                    for y in 0..<size.1 {
                        let rowA = pa + y * strideA, rowB = pb + y * strideB
                        var row: Int = 0
                        for x in 0..<size.0 {
                            let d = Int(rowA[x]) - Int(rowB[x])
                            row &+= d * d
                        }
                        sum &+= UInt64(row)
                    }
                    return sum
                }
            }
        }
    }

    /// Asks the encoder for a keyframe here (with libx264's forced-idr, an IDR).
    public func forceKeyframe() { pointer.pointee.pict_type = AV_PICTURE_TYPE_I }
    /// Leaves frame type decisions to the encoder.
    public func clearFrameType() { pointer.pointee.pict_type = AV_PICTURE_TYPE_NONE }
}
