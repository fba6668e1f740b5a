import CFFmpeg

public enum MediaType: Sendable {
    case video, audio, subtitle

    var av: AVMediaType {
        switch self {
        case .video: AVMEDIA_TYPE_VIDEO
        case .audio: AVMEDIA_TYPE_AUDIO
        case .subtitle: AVMEDIA_TYPE_SUBTITLE
        }
    }
}

/// What a demuxed stream carries, as far as the segmenter needs to know.
public struct StreamInfo: Sendable {
    public let index: Int32
    public let type: MediaType
    public let codecName: String
    public let timeBase: Rational
    public let startTime: Int64?
    public let durationSeconds: Double?
    // Video
    public let width: Int32
    public let height: Int32
    /// The average frame rate (or the base rate when there is no average).
    public let frameRate: Rational
    /// The base rate every timestamp fits (r_frame_rate): above the average when the rate varies.
    public let baseFrameRate: Rational
    public let sampleAspectRatio: Rational
    /// Clockwise degrees (0, 90, 180, 270) the picture must turn to display upright, from the
    /// stream's display matrix (phones record sideways and say so there).
    public let rotation: Int
    /// The stream says its pictures are made of two fields (its field order is not progressive).
    public let interlaced: Bool
    public let colour: ColourTags
    // Audio
    public let sampleRate: Int32
    public let channels: Int32
    public let language: String?
    /// The container marks it as the one to play by default.
    public let isDefault: Bool

    /// The language in lower case, `und` when the stream does not say.
    public var languageCode: String { language?.lowercased() ?? "und" }
}

/// A picture's colour description (ISO/IEC 23091-2 code points, as FFmpeg numbers them):
/// primaries, transfer characteristics, matrix coefficients and range.
public struct ColourTags: Sendable, Equatable {
    public var primaries: Int32
    public var transfer: Int32
    public var matrix: Int32
    public var range: Int32

    public init(primaries: Int32, transfer: Int32, matrix: Int32, range: Int32) {
        self.primaries = primaries
        self.transfer = transfer
        self.matrix = matrix
        self.range = range
    }

    /// SDR HD video: BT.709 primaries, transfer and matrix, limited (TV) range.
    public static let bt709 = ColourTags(primaries: Int32(AVCOL_PRI_BT709.rawValue), transfer: Int32(AVCOL_TRC_BT709.rawValue),
                                         matrix: Int32(AVCOL_SPC_BT709.rawValue), range: Int32(AVCOL_RANGE_MPEG.rawValue))

    /// High dynamic range: a PQ (SMPTE ST 2084, HDR10) or HLG (ARIB STD-B67) transfer.
    public var isHDR: Bool {
        transfer == Int32(AVCOL_TRC_SMPTE2084.rawValue) || transfer == Int32(AVCOL_TRC_ARIB_STD_B67.rawValue)
    }

    /// Every part says what it is (none left unspecified).
    public var isComplete: Bool {
        primaries != Int32(AVCOL_PRI_UNSPECIFIED.rawValue) && transfer != Int32(AVCOL_TRC_UNSPECIFIED.rawValue)
            && matrix != Int32(AVCOL_SPC_UNSPECIFIED.rawValue)
    }

    public var description: String {
        func name(_ text: UnsafePointer<CChar>?) -> String { text.map { String(cString: $0) } ?? "?" }
        return "\(name(av_color_primaries_name(AVColorPrimaries(UInt32(primaries)))))/"
            + "\(name(av_color_transfer_name(AVColorTransferCharacteristic(UInt32(transfer)))))/"
            + "\(name(av_color_space_name(AVColorSpace(UInt32(matrix)))))"
    }
}
