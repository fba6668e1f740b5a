import CFFmpeg

/// Owns one AVPacket.
public final class Packet: @unchecked Sendable {
    public let pointer: UnsafeMutablePointer<AVPacket>

    public init() {
        guard let packet = av_packet_alloc() else { fatalError("av_packet_alloc: out of memory") }
        pointer = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = pointer
        av_packet_free(&packet)
    }

    public func unref() { av_packet_unref(pointer) }

    public var streamIndex: Int32 {
        get { pointer.pointee.stream_index }
        set { pointer.pointee.stream_index = newValue }
    }
    public var pts: Int64 {
        get { pointer.pointee.pts }
        set { pointer.pointee.pts = newValue }
    }
    public var dts: Int64 {
        get { pointer.pointee.dts }
        set { pointer.pointee.dts = newValue }
    }
    public var duration: Int64 {
        get { pointer.pointee.duration }
        set { pointer.pointee.duration = newValue }
    }
    public var size: Int { Int(pointer.pointee.size) }
    public var isKeyframe: Bool { pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 }

    /// Sum of squared errors per plane that the encoder reported (with the PSNR flag set).
    public var encoderErrors: [UInt64]? {
        var size: Int = 0
        guard let data = av_packet_get_side_data(pointer, AV_PKT_DATA_QUALITY_STATS, &size),
              size >= 8 + 3 * 8 else { return nil }
        // Layout (libavcodec/packet.h): u32 quality, u8 pict_type, u8 error count, u16 reserved,
        // then u64 errors in the machine's byte order.
        let count = Int(data[5])
        guard count >= 3, size >= 8 + count * 8 else { return nil }
        return (0..<3).map { i in
            UnsafeRawPointer(data + 8 + i * 8).loadUnaligned(as: UInt64.self)
        }
    }

    public static var noTimestamp: Int64 { dashcdn_nopts() }
}
