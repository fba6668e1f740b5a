import HTTPCore

/// CMCD on the wire: `key=value` pairs, comma-separated, keys in alphabetical order; strings
/// quoted (with `"` and `\` escaped), tokens bare, true booleans as the key alone, false ones
/// and absent values left out.
extension CMCDData {
    /// The pairs, in key order, as they are written.
    public var pairs: [(key: String, text: String)] {
        var out: [(String, String)] = []
        func number(_ key: String, _ value: Int?) { if let value { out.append((key, "\(key)=\(value)")) } }
        func string(_ key: String, _ value: String?) { if let value { out.append((key, "\(key)=\(Self.quoted(value))")) } }
        func token(_ key: String, _ value: String?) { if let value { out.append((key, "\(key)=\(value)")) } }
        number("br", encodedBitrateKbps)
        number("bl", bufferLengthMs.map { Self.rounded($0, to: 100) })
        if bufferStarvation { out.append(("bs", "bs")) }
        string("cid", contentID)
        number("d", objectDurationMs)
        number("dl", deadlineMs.map { Self.rounded($0, to: 100) })
        number("mtp", measuredThroughputKbps.map { Self.rounded($0, to: 100) })
        string("nor", nextObjectRequest)
        string("nrr", nextRangeRequest)
        token("ot", objectType?.rawValue)
        if let playbackRate { out.append(("pr", "pr=\(Self.decimal(playbackRate))")) }
        token("sf", streamingFormat)
        string("sid", sessionID)
        token("st", streamType)
        if startup { out.append(("su", "su")) }
        number("tb", topBitrateKbps)
        number("v", version)
        return out.sorted { $0.0 < $1.0 }
    }

    /// The value of the `CMCD` query parameter, percent-encoded.
    public var queryValue: String {
        PercentEncoding.encoded(pairs.map(\.text).joined(separator: ","))
    }

    /// The four headers of header mode (those with nothing to carry left out).
    public var headers: [(name: String, value: String)] {
        Shard.allCases.compactMap { shard in
            let texts = pairs.filter { Self.shard(of: $0.key) == shard }.map(\.text)
            return texts.isEmpty ? nil : (shard.rawValue, texts.joined(separator: ","))
        }
    }

    static func rounded(_ value: Int, to step: Int) -> Int { Int((Double(value) / Double(step)).rounded()) * step }

    static func decimal(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for character in text {
            if character == "\"" || character == "\\" { out.append("\\") }
            out.append(character)
        }
        return out + "\""
    }
}
