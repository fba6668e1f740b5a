import Foundation

/// The machine-readable and drawn forms of a session's log, written whole (to a temporary name,
/// then renamed) so a reader never sees half a file.
public struct SessionLogFiles {
    public var csv: String?
    public var jsonl: String?
    public var plot: String?

    public init(csv: String? = nil, jsonl: String? = nil, plot: String? = nil) {
        self.csv = csv
        self.jsonl = jsonl
        self.plot = plot
    }

    public func write(records: [SegmentRecord], summary: QoESummary, title: String, maxBuffer: Double?) throws {
        if let csv {
            try Self.publish(([SegmentRecord.csvHeader] + records.map(\.csvRow)).joined(separator: "\n") + "\n", to: csv)
        }
        if let jsonl {
            try Self.publish((records.map(\.jsonLine) + [summary.jsonLine]).joined(separator: "\n") + "\n", to: jsonl)
        }
        if let plot {
            try Self.publish(SessionPlot(title: title, records: records, maxBuffer: maxBuffer).svg(), to: plot)
        }
    }

    public static func publish(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let staging = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).partial-\(getpid())")
        do {
            try Data(text.utf8).write(to: staging)
            guard rename(staging.path, url.path) == 0 else {
                throw PlayerError(String(cString: strerror(errno)))
            }
        } catch {
            try? FileManager.default.removeItem(at: staging)
            throw PlayerError("\(path): cannot write (\(error.localizedDescription))")
        }
    }
}
