import Foundation

/// The segment size table in Sabre's movie format: the nominal bitrate of each level (lowest
/// first) and the size in bits of every segment at every level. The simulator replays real
/// ladders from it; `../shared/data/video/pensieve-48x4s.json` is one.
public struct SegmentSizeTable: Codable, Equatable, Sendable {
    public var segmentDurationMs: Int
    public var bitratesKbps: [Int]
    /// segmentSizesBits[segment][level]
    public var segmentSizesBits: [[Int]]

    enum CodingKeys: String, CodingKey {
        case segmentDurationMs = "segment_duration_ms"
        case bitratesKbps = "bitrates_kbps"
        case segmentSizesBits = "segment_sizes_bits"
    }

    public init(segmentDurationMs: Int, bitratesKbps: [Int], segmentSizesBits: [[Int]]) {
        self.segmentDurationMs = segmentDurationMs
        self.bitratesKbps = bitratesKbps
        self.segmentSizesBits = segmentSizesBits
    }

    public func encoded() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode(self)
    }

    public static func decode(_ data: Data) throws -> SegmentSizeTable {
        try JSONDecoder().decode(SegmentSizeTable.self, from: data)
    }
}
