import ContentLayout
import Foundation
import MPD

/// What an ABR rule knows about the presentation: the ladder's bitrates (lowest first), the
/// segment duration and the size of every segment at every level. The live player builds it from
/// an MPD (and its segments.json when present), the simulator from a Sabre movie JSON.
public struct VideoTable: Sendable {
    public let segmentDuration: Double
    public let bitratesKbps: [Double]
    public let segmentCount: Int
    /// Sizes in bytes, segment-major: `sizes[segment * levelCount + level]`. Flat for speed:
    /// the MPC planners read it millions of times per run.
    private let sizes: [Double]

    public var levelCount: Int { bitratesKbps.count }
    public var topLevel: Int { bitratesKbps.count - 1 }

    public init(segmentDuration: Double, bitratesKbps: [Double], sizesBytes: [[Double]]) throws {
        guard segmentDuration > 0, segmentDuration.isFinite else {
            throw PlayerError("segment duration must be positive, got \(segmentDuration)")
        }
        guard !bitratesKbps.isEmpty else { throw PlayerError("the ladder has no levels") }
        guard bitratesKbps.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw PlayerError("every bitrate must be positive")
        }
        guard zip(bitratesKbps, bitratesKbps.dropFirst()).allSatisfy({ $0 < $1 }) else {
            throw PlayerError("bitrates must be listed lowest first, each higher than the last")
        }
        guard !sizesBytes.isEmpty else { throw PlayerError("the video has no segments") }
        for (index, row) in sizesBytes.enumerated() {
            guard row.count == bitratesKbps.count else {
                throw PlayerError("segment \(index + 1) has \(row.count) sizes for \(bitratesKbps.count) levels")
            }
            guard row.allSatisfy({ $0 > 0 && $0.isFinite }) else {
                throw PlayerError("segment \(index + 1) has a size that is not positive")
            }
        }
        self.segmentDuration = segmentDuration
        self.bitratesKbps = bitratesKbps
        self.segmentCount = sizesBytes.count
        self.sizes = sizesBytes.flatMap { $0 }
    }

    /// A table from Sabre's movie format (sizes in bits).
    public init(_ table: SegmentSizeTable) throws {
        try self.init(segmentDuration: Double(table.segmentDurationMs) / 1000,
                      bitratesKbps: table.bitratesKbps.map(Double.init),
                      sizesBytes: table.segmentSizesBits.map { $0.map { Double($0) / 8 } })
    }

    /// A ladder known only by its nominal bitrates: every segment is bitrate × duration.
    public init(segmentDuration: Double, bitratesKbps: [Double], segmentCount: Int) throws {
        let row = bitratesKbps.map { $0 * 1000 / 8 * segmentDuration }
        try self.init(segmentDuration: segmentDuration, bitratesKbps: bitratesKbps,
                      sizesBytes: Array(repeating: row, count: max(segmentCount, 1)))
    }

    @inline(__always)
    public func size(segment: Int, level: Int) -> Double {
        sizes[segment * bitratesKbps.count + level]
    }

    /// The highest level whose nominal bitrate is at most `kbps`, or the lowest level.
    public func highestLevel(atMostKbps kbps: Double) -> Int {
        var level = 0
        for (index, bitrate) in bitratesKbps.enumerated() where bitrate <= kbps { level = index }
        return level
    }
}

extension VideoTable {
    /// Loads a Sabre movie JSON, or an MPD written by `dashcdn encode` through the
    /// `<title>.segments.json` written beside it.
    public static func load(path: String) throws -> VideoTable {
        let tablePath: String
        if path.hasSuffix(".mpd") {
            tablePath = ContentLayout.segmentTable(besideManifest: path)
            guard FileManager.default.fileExists(atPath: path) else {
                throw PlayerError("\(path): no such file")
            }
            guard FileManager.default.fileExists(atPath: tablePath) else {
                throw PlayerError("\(path): no segment size table beside it (expected \(tablePath))")
            }
        } else {
            tablePath = path
        }
        guard let data = FileManager.default.contents(atPath: tablePath) else {
            throw PlayerError("\(tablePath): cannot read the file")
        }
        let table: SegmentSizeTable
        do {
            table = try SegmentSizeTable.decode(data)
        } catch {
            throw PlayerError("\(tablePath): not a Sabre movie JSON (segment_duration_ms, bitrates_kbps, segment_sizes_bits)")
        }
        do {
            return try VideoTable(table)
        } catch let error as PlayerError {
            throw PlayerError("\(tablePath): \(error.description)")
        }
    }
}
