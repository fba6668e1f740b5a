import Foundation

/// An SVG of one session for people: the upper panel shows the chosen bitrate (steps) against the
/// measured throughput, the lower one the buffer level as it was between records (draining in
/// real time, at zero through a stall), with stalls shaded red and edge changes marked in both.
public struct SessionPlot {
    public var title: String
    public var records: [SegmentRecord]
    public var maxBuffer: Double?

    private let width = 900.0
    private let panelHeight = 220.0
    private let left = 70.0
    private let right = 20.0
    private let top = 40.0
    private let gap = 50.0

    public init(title: String, records: [SegmentRecord], maxBuffer: Double? = nil) {
        self.title = title
        self.records = records
        self.maxBuffer = maxBuffer
    }

    public func svg() -> String {
        let endTime = max(records.last?.time ?? 1, 1)
        let rateTop = Scale.roundTop(records.map { max($0.bitrateKbps, $0.throughputKbps) }.max() ?? 1, ticks: 4)
        let bufferTop = Scale.roundTop(max(records.map(\.buffer).max() ?? 1, maxBuffer ?? 0), ticks: 4)
        let height = top + 2 * panelHeight + gap + 60
        let rates = Panel(x: left, y: top, width: width - left - right, height: panelHeight,
                          xMax: endTime, yMax: rateTop)
        let buffers = Panel(x: left, y: top + panelHeight + gap, width: width - left - right,
                            height: panelHeight, xMax: endTime, yMax: bufferTop)
        var out = [
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-family=\"sans-serif\" font-size=\"12\">",
            "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>",
            "<text x=\"\(left)\" y=\"22\" font-size=\"15\" font-weight=\"bold\">\(escape(title))</text>",
        ]
        out += stallBands(in: rates) + stallBands(in: buffers)
        out += edgeChanges(in: rates, labelled: true) + edgeChanges(in: buffers, labelled: false)
        out += rates.axes(yLabel: "kbit/s", xLabel: nil)
        out += buffers.axes(yLabel: "buffer (s)", xLabel: "time (s)")
        out.append(rates.polyline(throughputPoints(), color: "#999999", dashed: true))
        out.append(rates.polyline(bitrateSteps(), color: "#1f5fbf", width: 2))
        out.append(buffers.polyline(bufferTrace(), color: "#2e8b57", width: 2))
        if let maxBuffer {
            out.append(buffers.polyline([(0, maxBuffer), (endTime, maxBuffer)], color: "#bbbbbb", dashed: true))
        }
        out += legend(x: left + 10, y: top + 14, entries: [
            ("#1f5fbf", "chosen bitrate"), ("#999999", "measured throughput"), ("#d9534f", "stall"), ("#8e44ad", "edge change"),
        ])
        out += legend(x: left + 10, y: buffers.y + 14, entries: [("#2e8b57", "buffer level")])
        out.append("</svg>")
        return out.joined(separator: "\n") + "\n"
    }

    /// Each segment's bitrate holds from the end of its download to the end of the next one.
    private func bitrateSteps() -> [(Double, Double)] {
        var points: [(Double, Double)] = []
        var start = 0.0
        for record in records {
            points.append((start, record.bitrateKbps))
            points.append((record.time, record.bitrateKbps))
            start = record.time
        }
        return points
    }

    /// The buffer between records: it drains one second per second from each record's level,
    /// reaches zero when a stall begins and stays there until the segment that ends it arrives,
    /// then jumps by what that segment added.
    func bufferTrace() -> [(Double, Double)] {
        var points: [(Double, Double)] = [(0, 0)]
        var previous: SegmentRecord?
        for record in records {
            if let previous {
                if record.stall > 0 {
                    let dry = max(previous.time, record.time - record.stall)
                    points.append((dry, max(0, previous.buffer - (dry - previous.time))))
                    points.append((dry, 0))
                    points.append((record.time, 0))
                } else {
                    points.append((record.time, max(0, previous.buffer - (record.time - previous.time))))
                }
            } else {
                points.append((record.time, 0))
            }
            points.append((record.time, record.buffer))
            previous = record
        }
        return points
    }

    /// A vertical line where the edge serving the session changed, named in the upper panel.
    private func edgeChanges(in panel: Panel, labelled: Bool) -> [String] {
        zip(records, records.dropFirst()).filter { $0.edge != $1.edge }.flatMap { _, record -> [String] in
            let x = f(panel.px(record.time))
            var marks = ["<line x1=\"\(x)\" y1=\"\(f(panel.y))\" x2=\"\(x)\" y2=\"\(f(panel.y + panel.height))\" stroke=\"#8e44ad\" stroke-dasharray=\"2 2\"/>"]
            if labelled {
                marks.append("<text x=\"\(x)\" y=\"\(f(panel.y - 4))\" fill=\"#8e44ad\" text-anchor=\"middle\">\(escape(record.edge))</text>")
            }
            return marks
        }
    }

    private func throughputPoints() -> [(Double, Double)] {
        records.map { ($0.time, $0.throughputKbps) }
    }

    /// A stall ends when its segment arrives and lasted `stall` seconds before that.
    private func stallBands(in panel: Panel) -> [String] {
        records.filter { $0.stall > 0 }.map { record in
            let x0 = panel.px(record.time - record.stall)
            let x1 = panel.px(record.time)
            return "<rect x=\"\(f(x0))\" y=\"\(f(panel.y))\" width=\"\(f(max(x1 - x0, 1)))\" height=\"\(f(panel.height))\" fill=\"#d9534f\" opacity=\"0.25\"/>"
        }
    }

    private func legend(x: Double, y: Double, entries: [(String, String)]) -> [String] {
        var cursor = x
        return entries.map { color, label in
            defer { cursor += Double(label.count) * 7 + 40 }
            return "<rect x=\"\(f(cursor))\" y=\"\(f(y - 9))\" width=\"18\" height=\"4\" fill=\"\(color)\"/>"
                + "<text x=\"\(f(cursor + 24))\" y=\"\(f(y - 3))\">\(label)</text>"
        }
    }
}

/// Axis ranges and ticks at round values: steps of 1, 2 or 5 times a power of ten.
enum Scale {
    static func step(for span: Double, ticks: Int) -> Double {
        let raw = max(span, 1e-9) / Double(ticks)
        let magnitude = pow(10, floor(log10(raw)))
        return [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
    }

    /// A round top at or above `value` with about `ticks` round steps below it.
    static func roundTop(_ value: Double, ticks: Int) -> Double {
        let step = step(for: value * 1.05, ticks: ticks)
        return max(step, (value * 1.05 / step).rounded(.up) * step)
    }

    /// 0, step, 2 step … up to `top`.
    static func ticks(upTo top: Double, approximately count: Int) -> [Double] {
        let step = step(for: top, ticks: count)
        return stride(from: 0, through: top + step * 1e-9, by: step).map { $0 }
    }
}

/// One plotting area with its scales.
private struct Panel {
    let x, y, width, height, xMax, yMax: Double

    func px(_ t: Double) -> Double { x + width * min(max(t / xMax, 0), 1) }
    func py(_ v: Double) -> Double { y + height * (1 - min(max(v / yMax, 0), 1)) }

    func polyline(_ points: [(Double, Double)], color: String, width: Double = 1.5, dashed: Bool = false) -> String {
        let path = points.map { "\(f(px($0.0))),\(f(py($0.1)))" }.joined(separator: " ")
        let dash = dashed ? " stroke-dasharray=\"4 3\"" : ""
        return "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(width)\"\(dash)/>"
    }

    func axes(yLabel: String, xLabel: String?) -> [String] {
        var out = ["<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(width))\" height=\"\(f(height))\" fill=\"none\" stroke=\"#333\"/>"]
        for value in Scale.ticks(upTo: yMax, approximately: 4) {
            let ty = py(value)
            out.append("<line x1=\"\(f(x))\" y1=\"\(f(ty))\" x2=\"\(f(x + width))\" y2=\"\(f(ty))\" stroke=\"#eee\"/>")
            out.append("<text x=\"\(f(x - 6))\" y=\"\(f(ty + 4))\" text-anchor=\"end\">\(label(value))</text>")
        }
        for value in Scale.ticks(upTo: xMax, approximately: 6) {
            out.append("<text x=\"\(f(px(value)))\" y=\"\(f(y + height + 15))\" text-anchor=\"middle\">\(label(value))</text>")
        }
        out.append("<text x=\"\(f(x - 55))\" y=\"\(f(y + height / 2))\" transform=\"rotate(-90 \(f(x - 55)) \(f(y + height / 2)))\" text-anchor=\"middle\">\(yLabel)</text>")
        if let xLabel {
            out.append("<text x=\"\(f(x + width / 2))\" y=\"\(f(y + height + 34))\" text-anchor=\"middle\">\(xLabel)</text>")
        }
        return out
    }

    private func label(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

private func f(_ value: Double) -> String { String(format: "%.1f", value) }

private func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}
