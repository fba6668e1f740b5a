import Foundation

/// A session's quality of experience. QoE_lin (Yin et al. 2015, the metric of Pensieve and the
/// MPC papers) sums over segments 2…N: bitrate in Mbit/s − 4.3 × the stall that segment caused −
/// the bitrate change from the previous segment in Mbit/s. The first segment is the start-up and
/// is reported as start-up delay instead.
public struct QoESummary: Sendable, Codable, Equatable {
    public var startup: Double
    public var meanBitrateKbps: Double
    public var switches: Int
    public var stalls: Int
    public var stallTime: Double
    public var qoeLin: Double

    public static let rebufferPenalty = 4.3
    public static let smoothPenalty = 1.0

    enum CodingKeys: String, CodingKey {
        case startup = "startup_s", meanBitrateKbps = "mean_bitrate_kbps", switches, stalls
        case stallTime = "stall_s", qoeLin = "qoe_lin"
    }

    public init(records: [SegmentRecord]) {
        startup = records.first?.stall ?? 0
        var bitrateSum = 0.0
        var switches = 0
        var stalls = 0
        var stallTime = 0.0
        var qoe = 0.0
        for (index, record) in records.enumerated() {
            bitrateSum += record.bitrateKbps
            guard index > 0 else { continue }
            let previous = records[index - 1]
            if record.level != previous.level { switches += 1 }
            if record.stall > 0 { stalls += 1 }
            stallTime += record.stall
            qoe += Self.score(bitrateKbps: record.bitrateKbps, previousKbps: previous.bitrateKbps, stall: record.stall)
        }
        meanBitrateKbps = records.isEmpty ? 0 : bitrateSum / Double(records.count)
        self.switches = switches
        self.stalls = stalls
        self.stallTime = stallTime
        qoeLin = qoe
    }

    /// What one segment after the first adds to QoE_lin.
    @inline(__always)
    public static func score(bitrateKbps: Double, previousKbps: Double, stall: Double) -> Double {
        bitrateKbps / 1000 - rebufferPenalty * stall - smoothPenalty * abs(bitrateKbps - previousKbps) / 1000
    }

    /// The final JSONL line: the summary with `"summary": true`.
    public var jsonLine: String {
        "{\"summary\":true,\"startup_s\":\(fixed(startup, 3)),\"mean_bitrate_kbps\":\(fixed(meanBitrateKbps, 1)),"
            + "\"switches\":\(switches),\"stalls\":\(stalls),\"stall_s\":\(fixed(stallTime, 3)),\"qoe_lin\":\(fixed(qoeLin, 4))}"
    }

    /// The summary for people, a few lines.
    public var humanText: String {
        """
        start-up delay  \(fixed(startup, 2)) s
        mean bitrate    \(fixed(meanBitrateKbps, 0)) kbps
        switches        \(switches)
        stalls          \(stalls), \(fixed(stallTime, 2)) s in all
        QoE_lin         \(fixed(qoeLin, 2))
        """
    }
}
