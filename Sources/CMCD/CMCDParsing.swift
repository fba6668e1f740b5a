import HTTPCore

/// Reading CMCD as a server receives it: from the `CMCD` query parameter or the four CMCD
/// headers. Whatever does not parse (an unknown key, a number that is not one, a broken quote)
/// is left out; a request is never refused for its CMCD.
extension CMCDData {
    /// Nil when the request carries no CMCD at all. Header names are expected lower-cased, as
    /// servers keep them; runs for every request, so a request without CMCD costs one scan.
    public init?(target: String, headers: [(name: String, value: String)]) {
        var text: [String] = []
        if target.utf8.contains(UInt8(ascii: "?")), let query = Self.queryParameter("CMCD", in: target) { text.append(query) }
        for (name, value) in headers where name.hasPrefix("cmcd-") && Self.headerNames.contains(name) { text.append(value) }
        guard !text.isEmpty else { return nil }
        self.init(pairs: text.joined(separator: ","))
    }

    static let headerNames = Set(Shard.allCases.map { $0.rawValue.lowercased() })

    /// `text`: comma-separated pairs, already percent-decoded.
    public init(pairs text: String) {
        self.init()
        for item in Self.split(text) {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard let key = parts.first?.trimmingSpaces, !key.isEmpty else { continue }
            apply(key: key, value: parts.count == 2 ? parts[1].trimmingSpaces : nil)
        }
    }

    private mutating func apply(key: String, value: String?) {
        func int() -> Int? { value.flatMap { Int($0) }.flatMap { $0 >= 0 ? $0 : nil } }
        func string() -> String? { value.flatMap(Self.unquoted) }
        func flag() -> Bool { value == nil || value == "?1" }
        switch key {
        case "br": encodedBitrateKbps = int()
        case "bl": bufferLengthMs = int()
        case "bs": bufferStarvation = flag()
        case "cid": contentID = string()
        case "d": objectDurationMs = int()
        case "dl": deadlineMs = int()
        case "mtp": measuredThroughputKbps = int()
        case "nor": nextObjectRequest = string()
        case "nrr": nextRangeRequest = string()
        case "ot": objectType = value.flatMap(ObjectType.init(rawValue:))
        case "pr": playbackRate = value.flatMap(Double.init)
        case "sf": streamingFormat = value
        case "sid": sessionID = string()
        case "st": streamType = value
        case "su": startup = flag()
        case "tb": topBitrateKbps = int()
        case "v": version = int()
        default: break
        }
    }

    /// Splits on `separator` (a comma between items, a semicolon between an item's
    /// parameters) outside quoted strings.
    static func split(_ text: String, on separator: Character = ",") -> [String] {
        var items: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if escaped { current.append(character); escaped = false; continue }
            switch character {
            case "\\" where quoted: escaped = true; current.append(character)
            case "\"": quoted.toggle(); current.append(character)
            case separator where !quoted: items.append(current); current = ""
            default: current.append(character)
            }
        }
        items.append(current)
        return items
    }

    /// A quoted string's content, or nil when it is not one.
    static func unquoted(_ text: String) -> String? {
        guard text.count >= 2, text.first == "\"", text.last == "\"" else { return nil }
        var out = ""
        var escaped = false
        for character in text.dropFirst().dropLast() {
            if escaped { out.append(character); escaped = false } else if character == "\\" { escaped = true } else { out.append(character) }
        }
        return escaped ? nil : out
    }

    /// The percent-decoded value of `name` in a request target's query, if present.
    static func queryParameter(_ name: String, in target: String) -> String? {
        guard let question = target.firstIndex(of: "?") else { return nil }
        var query = target[target.index(after: question)...]
        if let hash = query.firstIndex(of: "#") { query = query[..<hash] }
        for parameter in query.split(separator: "&") {
            let parts = parameter.split(separator: "=", maxSplits: 1)
            if parts.first == Substring(name) { return percentDecoded(parts.count == 2 ? String(parts[1]) : "") }
        }
        return nil
    }

    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(PercentEncoding.hexValue), let low = iterator.next().flatMap(PercentEncoding.hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension String {
    var trimmingSpaces: String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
