import Foundation
import Player

/// The demo's closing table: one row per client.
public enum DemoTable {
    public static func render(_ results: [DemoResult]) -> String {
        var lines = ["client                     zone       edges used                   segments  mean kbps  stalls  stall s  QoE_lin"]
        for result in results {
            let summary = result.report.summary
            let client = "\(result.client.sourceAddress) (\(result.client.modeName))"
            lines.append(String(format: "%@ %@ %@ %8d %10.0f %7d %8.2f %8.2f",
                                padded(client, 26), padded(result.client.zone, 10),
                                padded(result.edges.joined(separator: " -> "), 28), result.report.records.count,
                                summary.meanBitrateKbps, summary.stalls, summary.stallTime, summary.qoeLin))
        }
        lines.append("")
        lines += results.map { "plot \(padded($0.client.zone, 10)) \($0.plot)" }
        return lines.joined(separator: "\n")
    }

    private static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
