import Foundation

/// What `dashcdn simulate` prints and writes: a table for people, DESIGN.md's JSON for machines.
public enum SimulationReport {
    public static func table(_ results: [RuleResult]) -> String {
        var lines = ["rule         traces  QoE_lin/session  mean bitrate  rebuffer total  rebuffer/session  switches/session  sessions/s"]
        for result in results {
            lines.append(result.rule.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
                + pad("\(result.perTrace.count)", 8)
                + pad(fixed(result.meanQoE, 2), 17)
                + pad(fixed(result.meanBitrateKbps, 0) + " kbps", 14)
                + pad(fixed(result.totalRebuffer, 1) + " s", 16)
                + pad(fixed(result.meanRebuffer, 2) + " s", 18)
                + pad(fixed(result.meanSwitches, 1), 18)
                + pad(result.sessionsPerSecond.map { fixed($0, 0) } ?? "-", 12))
        }
        return lines.joined(separator: "\n")
    }

    /// The offline optimum, and the share of it each rule reached (a share of a score at or
    /// below zero means nothing, so then only the optimum).
    public static func optimumLine(_ optimum: OptimumResult, results: [RuleResult]) -> String {
        let line = "offline optimum (each trace known in advance, \(fixed(optimum.resolution, 2)) s buckets): "
            + "\(fixed(optimum.meanQoE, 2))/session"
        guard optimum.meanQoE > 0 else { return line }
        let shares = results.map { "\($0.rule.rawValue) \(fixed(100 * $0.meanQoE / optimum.meanQoE, 0)) %" }
        return line + "; reached: " + shares.joined(separator: ", ")
    }

    /// What the runs were made with, so a JSON file says what it measured.
    public struct Context: Sendable {
        public var video: String
        public var networkModel: String
        /// How the first segment's level is chosen (the rules decide from the second on).
        public var startup: String
        /// Whether downloads that would stall were given up and fetched lower.
        public var abandonment: Bool
        /// The offline optimum, when it was asked for.
        public var optimum: OptimumResult?

        public init(video: String, networkModel: String, startup: String, abandonment: Bool = false,
                    optimum: OptimumResult? = nil) {
            self.video = video
            self.networkModel = networkModel
            self.startup = startup
            self.abandonment = abandonment
            self.optimum = optimum
        }
    }

    public static func json(_ results: [RuleResult], context: Context) throws -> Data {
        let document = Document(video: context.video, networkModel: context.networkModel, startup: context.startup,
                                abandonment: context.abandonment,
                                optimum: context.optimum.map { optimum in
            Document.Optimum(resolution: optimum.resolution, meanQoELin: optimum.meanQoE,
                             perTrace: optimum.perTrace.map { .init(trace: $0.trace, qoeLin: $0.qoe) })
        },
                                rules: results.map { result in
            Document.Rule(
                rule: result.rule.rawValue, traces: result.perTrace.count,
                meanQoELin: result.meanQoE, meanBitrateKbps: result.meanBitrateKbps,
                meanRebuffer: result.meanRebuffer, meanSwitches: result.meanSwitches,
                sessionsPerSecond: result.sessionsPerSecond,
                perTrace: result.perTrace.map {
                    Document.Trace(trace: $0.trace, qoeLin: $0.summary.qoeLin,
                                   bitrateKbps: $0.summary.meanBitrateKbps,
                                   rebuffer: $0.summary.stallTime, switches: $0.summary.switches)
                })
        })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(document)
    }

    private struct Document: Encodable {
        struct Rule: Encodable {
            let rule: String
            let traces: Int
            let meanQoELin: Double
            let meanBitrateKbps: Double
            let meanRebuffer: Double
            let meanSwitches: Double
            let sessionsPerSecond: Double?
            let perTrace: [Trace]

            enum CodingKeys: String, CodingKey {
                case rule, traces, meanQoELin = "mean_qoe_lin", meanBitrateKbps = "mean_bitrate_kbps"
                case meanRebuffer = "mean_rebuffer_s", meanSwitches = "mean_switches", perTrace = "per_trace"
                case sessionsPerSecond = "sessions_per_s"
            }
        }

        struct Trace: Encodable {
            let trace: String
            let qoeLin: Double
            let bitrateKbps: Double
            let rebuffer: Double
            let switches: Int

            enum CodingKeys: String, CodingKey {
                case trace, qoeLin = "qoe_lin", bitrateKbps = "bitrate_kbps", rebuffer = "rebuffer_s", switches
            }
        }

        let video: String
        let networkModel: String
        let startup: String
        let abandonment: Bool
        let optimum: Optimum?
        let rules: [Rule]

        enum CodingKeys: String, CodingKey {
            case video, networkModel = "network_model", startup, abandonment, optimum, rules
        }

        struct Optimum: Encodable {
            struct Trace: Encodable {
                let trace: String
                let qoeLin: Double
                enum CodingKeys: String, CodingKey { case trace, qoeLin = "qoe_lin" }
            }
            let resolution: Double
            let meanQoELin: Double
            let perTrace: [Trace]
            enum CodingKeys: String, CodingKey {
                case resolution = "resolution_s", meanQoELin = "mean_qoe_lin", perTrace = "per_trace"
            }
        }
    }
}
