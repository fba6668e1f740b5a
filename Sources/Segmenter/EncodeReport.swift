import Foundation

/// What an encode produced, per representation, for the final table and for callers.
public struct EncodeReport: Sendable {
    public struct Row: Sendable {
        public let id: String
        public let width: Int?
        public let height: Int?
        public let targetKbps: Int
        public let averageKbps: Double
        public let peakKbps: Double
        public let bandwidth: Int
        public let segments: Int
        public let psnr: Double?
    }

    public let title: String
    public let rows: [Row]
    public let dropped: [Rung]
    public let durationSeconds: Double
    public let wallSeconds: Double
    public let manifest: String
    /// The HLS multivariant playlist beside the MPD.
    public let playlist: String
    public let segmentTable: String
    public let mediaFolder: String

    /// The table printed at the end of an encode.
    public func table() -> String {
        var lines = [String]()
        let header = ["rung", "resolution", "target", "average", "peak", "@bandwidth", "segments", "PSNR"]
        var cells = [header]
        for r in rows {
            let res = r.width.map { "\($0)x\(r.height ?? 0)" } ?? "audio"
            cells.append([r.id, res, "\(r.targetKbps)k", String(format: "%.0fk", r.averageKbps),
                          String(format: "%.0fk", r.peakKbps), "\(r.bandwidth / 1000)k", "\(r.segments)",
                          r.psnr.map { String(format: "%.2f dB", $0) } ?? "-"])
        }
        let widths = header.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
        for row in cells {
            lines.append(row.enumerated().map { i, c in
                i < 2 ? c.padding(toLength: widths[i], withPad: " ", startingAt: 0)
                      : String(repeating: " ", count: widths[i] - c.count) + c
            }.joined(separator: "  "))
        }
        return lines.joined(separator: "\n")
    }
}
