import Foundation

/// One downloaded segment as the player lived through it: the line it prints, the CSV row and the
/// JSONL record all come from here, with DESIGN.md's field names.
public struct SegmentRecord: Sendable, Codable, Equatable {
    /// Seconds since the session started, when the download finished.
    public var time: Double
    /// 1-based, as in the segment URLs.
    public var segment: Int
    public var representation: String
    public var level: Int
    public var bitrateKbps: Double
    public var bytes: Int
    public var download: Double
    public var throughputKbps: Double
    /// Seconds of media buffered once the segment was added.
    public var buffer: Double
    /// Seconds playback stood still waiting for this segment (the start-up wait for the first).
    public var stall: Double
    public var edge: String
    /// What the edge said of its path to the player in CMSD-Dynamic (`etp`, `rtt`), when it did.
    public var serverThroughputKbps: Int?
    public var serverRoundTripMs: Int?

    public init(time: Double, segment: Int, representation: String, level: Int, bitrateKbps: Double,
                bytes: Int, download: Double, throughputKbps: Double, buffer: Double, stall: Double,
                edge: String, serverThroughputKbps: Int? = nil, serverRoundTripMs: Int? = nil) {
        self.time = time
        self.segment = segment
        self.representation = representation
        self.level = level
        self.bitrateKbps = bitrateKbps
        self.bytes = bytes
        self.download = download
        self.throughputKbps = throughputKbps
        self.buffer = buffer
        self.stall = stall
        self.edge = edge
        self.serverThroughputKbps = serverThroughputKbps
        self.serverRoundTripMs = serverRoundTripMs
    }

    enum CodingKeys: String, CodingKey {
        case time = "t_s", segment, representation, level, bitrateKbps = "bitrate_kbps", bytes
        case download = "download_s", throughputKbps = "throughput_kbps", buffer = "buffer_s"
        case stall = "stall_s", edge, serverThroughputKbps = "cmsd_etp_kbps", serverRoundTripMs = "cmsd_rtt_ms"
    }

    public static let csvHeader =
        "t_s,segment,representation,bitrate_kbps,bytes,download_s,throughput_kbps,buffer_s,stall_s,edge,cmsd_etp_kbps,cmsd_rtt_ms"

    public var csvRow: String {
        [fixed(time, 3), "\(segment)", csvField(representation), fixed(bitrateKbps, 0), "\(bytes)",
         fixed(download, 3), fixed(throughputKbps, 0), fixed(buffer, 3), fixed(stall, 3),
         csvField(edge), serverThroughputKbps.map(String.init) ?? "", serverRoundTripMs.map(String.init) ?? ""]
            .joined(separator: ",")
    }

    public var jsonLine: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return String(decoding: (try? encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// The line for people: aligned columns, units on every figure.
    public var humanLine: String {
        let stallText = stall > 0 ? "  STALL \(fixed(stall, 2))s" : ""
        let serverText = (serverThroughputKbps.map { "  etp \($0) kbps" } ?? "") + (serverRoundTripMs.map { " rtt \($0) ms" } ?? "")
        return "\(pad(fixed(time, 2) + "s", 9))  seg \(pad("\(segment)", 4))  "
            + "\(pad(representation, 10)) \(pad(fixed(bitrateKbps, 0), 6)) kbps  "
            + "\(pad(fixed(Double(bytes) / 1000, 0), 6)) kB in \(pad(fixed(download, 2), 6))s  "
            + "\(pad(fixed(throughputKbps, 0), 7)) kbps  buffer \(pad(fixed(buffer, 1), 5))s  "
            + "\(edge)\(serverText)\(stallText)"
    }
}

func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

func csvField(_ text: String) -> String {
    text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" })
        ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
}
