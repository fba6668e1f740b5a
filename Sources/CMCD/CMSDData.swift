/// Common Media Server Data (CTA-5006): what a server tells the player with each response.
/// It shares CMCD's Structured Field syntax, hence its place in this module.
///
/// `CMSD-Static` describes the object and is the same on every response of it; `CMSD-Dynamic`
/// describes this delivery, one list member per server on the path, each appending its own.
public struct CMSDStatic: Sendable, Equatable {
    public var objectType: CMCDData.ObjectType?   // ot
    public var streamType: String?                // st: v (VOD), l (live)
    public var streamingFormat: String?           // sf: d (DASH), h (HLS)

    public init(objectType: CMCDData.ObjectType? = nil, streamType: String? = nil, streamingFormat: String? = nil) {
        self.objectType = objectType
        self.streamType = streamType
        self.streamingFormat = streamingFormat
    }

    public static let headerName = "CMSD-Static"

    /// Keys in alphabetical order, as CMCD writes them; nil when there is nothing to say.
    public var headerValue: String? {
        let pairs = [("ot", objectType?.rawValue), ("sf", streamingFormat), ("st", streamType)]
            .compactMap { key, value in value.map { "\(key)=\($0)" } }
        return pairs.isEmpty ? nil : pairs.joined(separator: ",")
    }

    /// Reads a received header; unknown or malformed keys are left out.
    public init(headerValue text: String) {
        self.init()
        for item in CMCDData.split(text) {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
            guard parts.count == 2 else { continue }
            switch parts[0] {
            case "ot": objectType = CMCDData.ObjectType(rawValue: parts[1])
            case "st": streamType = parts[1]
            case "sf": streamingFormat = parts[1]
            default: break
            }
        }
    }
}

/// One server's entry in `CMSD-Dynamic`: `"name";etp=…;rtt=…`.
public struct CMSDDynamic: Sendable, Equatable {
    /// The server that wrote the entry (a Structured Field string).
    public var server: String
    /// Estimated throughput from this server to the client, kbps (`etp`).
    public var estimatedThroughputKbps: Int?
    /// Estimated round-trip time to the client, milliseconds (`rtt`).
    public var roundTripMs: Int?

    public init(server: String, estimatedThroughputKbps: Int? = nil, roundTripMs: Int? = nil) {
        self.server = server
        self.estimatedThroughputKbps = estimatedThroughputKbps
        self.roundTripMs = roundTripMs
    }

    public static let headerName = "CMSD-Dynamic"

    public var headerValue: String {
        var text = CMCDData.quoted(server)
        if let estimatedThroughputKbps { text += ";etp=\(estimatedThroughputKbps)" }
        if let roundTripMs { text += ";rtt=\(roundTripMs)" }
        return text
    }

    /// Every entry of a received header, in path order (the last is the server nearest the
    /// client). Members that are not a quoted name are skipped; bad parameters are left out.
    public static func entries(in text: String) -> [CMSDDynamic] {
        CMCDData.split(text).compactMap { member in
            let parts = CMCDData.split(member, on: ";").map(\.trimmingSpaces)
            guard let name = parts.first.flatMap(CMCDData.unquoted) else { return nil }
            var entry = CMSDDynamic(server: name)
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map(String.init)
                guard pair.count == 2, let value = Int(pair[1]), value >= 0 else { continue }
                switch pair[0] {
                case "etp": entry.estimatedThroughputKbps = value
                case "rtt": entry.roundTripMs = value
                default: break
                }
            }
            return entry
        }
    }
}
