import Foundation

/// Reads bandwidth traces in the three formats researchers share them in:
/// - Pensieve "cooked": one `time_s bandwidth_Mbps` pair per line;
/// - Mahimahi: one integer per line, the millisecond at which a 1500-byte packet may be
///   delivered (binned into one-second samples here);
/// - Sabre JSON: `[{"duration_ms", "bandwidth_kbps", "latency_ms"}, …]`.
public enum TraceLoader {
    /// Every trace file in a folder (hidden files skipped), sorted by name; or the one file given.
    public static func load(path: String) throws -> [NetworkTrace] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw TraceError("\(path): no such file or folder")
        }
        guard isDirectory.boolValue else { return [try loadFile(path: path)] }
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
            .filter { !$0.hasPrefix(".") }
            .sorted()
        let traces = try names.compactMap { name -> NetworkTrace? in
            let file = (path as NSString).appendingPathComponent(name)
            var isSubfolder: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: file, isDirectory: &isSubfolder)
            return isSubfolder.boolValue ? nil : try loadFile(path: file)
        }
        guard !traces.isEmpty else { throw TraceError("\(path): no trace files in the folder") }
        return traces
    }

    public static func loadFile(path: String) throws -> NetworkTrace {
        let name = (path as NSString).lastPathComponent
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceError("\(path): cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TraceError("\(path): not a text file")
        }
        do {
            if text.first(where: { !$0.isWhitespace }) == "[" {
                return try parseSabre(data, name: name)
            }
            return try parseLines(text, name: name)
        } catch let error as TraceError {
            throw TraceError("\(path): \(error.description.replacingOccurrences(of: "\(name): ", with: ""))")
        }
    }

    /// Pensieve or Mahimahi, told apart by the number of columns on the first line.
    static func parseLines(_ text: String, name: String) throws -> NetworkTrace {
        var rows: [[Double]] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "," })
            if fields.isEmpty { continue }
            var row: [Double] = []
            for field in fields {
                guard let value = Double(field), value.isFinite else {
                    throw TraceError("line \(lineNumber): '\(line.prefix(40))' is not numbers")
                }
                row.append(value)
            }
            if let first = rows.first, first.count != row.count {
                throw TraceError("line \(lineNumber): \(row.count) columns where the file has \(first.count)")
            }
            rows.append(row)
        }
        guard let columns = rows.first?.count else { throw TraceError("\(name): the file is empty") }
        switch columns {
        case 2:
            return try NetworkTrace(name: name, times: rows.map { $0[0] }, mbps: rows.map { $0[1] })
        case 1:
            return try mahimahi(rows.map { $0[0] }, name: name)
        default:
            throw TraceError("\(name): expected 'time_s Mbps' (Pensieve) or one timestamp per line (Mahimahi), found \(columns) columns")
        }
    }

    /// Packet-delivery opportunities → one-second bandwidth samples.
    static func mahimahi(_ timestampsMs: [Double], name: String) throws -> NetworkTrace {
        let packetBits = 1500.0 * 8
        guard let lastMs = timestampsMs.last else { throw TraceError("\(name): the file is empty") }
        for (index, pair) in zip(timestampsMs, timestampsMs.dropFirst()).enumerated() where pair.1 < pair.0 {
            throw TraceError("line \(index + 2): timestamp \(Int(pair.1)) before \(Int(pair.0))")
        }
        let seconds = max(1, Int((lastMs / 1000).rounded(.up)))
        var packets = Array(repeating: 0.0, count: seconds)
        for ms in timestampsMs {
            packets[min(seconds - 1, max(0, Int(ms / 1000)))] += 1
        }
        let times = (0...seconds).map(Double.init)
        let mbps = [0] + packets.map { $0 * packetBits / 1_000_000 }
        return try NetworkTrace(name: name, times: times, mbps: mbps)
    }

    private struct SabrePeriod: Decodable {
        let durationMs: Double
        let bandwidthKbps: Double
        let latencyMs: Double?

        enum CodingKeys: String, CodingKey {
            case durationMs = "duration_ms"
            case bandwidthKbps = "bandwidth_kbps"
            case latencyMs = "latency_ms"
        }
    }

    static func parseSabre(_ data: Data, name: String) throws -> NetworkTrace {
        let periods: [SabrePeriod]
        do {
            periods = try JSONDecoder().decode([SabrePeriod].self, from: data)
        } catch {
            throw TraceError("\(name): not a Sabre network trace ([{duration_ms, bandwidth_kbps, latency_ms}])")
        }
        guard let first = periods.first else { throw TraceError("\(name): the trace is empty") }
        if let bad = periods.firstIndex(where: { !($0.durationMs > 0) }) {
            throw TraceError("\(name): period \(bad + 1) has no positive duration_ms")
        }
        var times = [0.0]
        var mbps = [first.bandwidthKbps / 1000]
        var latencies = [(first.latencyMs ?? 0) / 1000]
        for period in periods {
            times.append(times[times.count - 1] + period.durationMs / 1000)
            mbps.append(period.bandwidthKbps / 1000)
            latencies.append((period.latencyMs ?? 0) / 1000)
        }
        let hasLatency = periods.contains { $0.latencyMs != nil }
        return try NetworkTrace(name: name, times: times, mbps: mbps, latencies: hasLatency ? latencies : nil)
    }
}
