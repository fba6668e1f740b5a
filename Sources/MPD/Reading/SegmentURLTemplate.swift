/// A SegmentTemplate @media or @initialization string (ISO/IEC 23009-1 §5.3.9.4.4): the
/// identifiers `$RepresentationID$`, `$Number$`, `$Bandwidth$`, `$Time$` and `$$`, the numeric
/// ones with an optional `%0<width>d` format tag.
public struct SegmentURLTemplate: Sendable, Equatable {
    enum Part: Sendable, Equatable {
        case literal(String)
        case representationID
        case number(width: Int)
        case bandwidth(width: Int)
        case time(width: Int)
    }

    let parts: [Part]
    public let text: String

    public init(_ text: String) throws {
        self.text = text
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "$") {
            parts.append(.literal(String(rest[..<open])))
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "$") else {
                throw MPDError("template \"\(text)\" has an unclosed $")
            }
            parts.append(try Self.identifier(rest[afterOpen..<close], in: text))
            rest = rest[rest.index(after: close)...]
        }
        parts.append(.literal(String(rest)))
        self.parts = parts.filter { $0 != .literal("") }
    }

    private static func identifier(_ body: Substring, in text: String) throws -> Part {
        if body.isEmpty { return .literal("$") }
        let pieces = body.split(separator: "%", maxSplits: 1, omittingEmptySubsequences: false)
        var width = 1
        if pieces.count == 2 {
            let format = pieces[1]
            guard format.hasSuffix("d"), let parsed = Int(format.dropFirst(format.hasPrefix("0") ? 1 : 0).dropLast()),
                  parsed >= 1, parsed <= 20 else {
                throw MPDError("template \"\(text)\" has an unsupported format tag %\(format)")
            }
            width = parsed
        }
        switch pieces[0] {
        case "RepresentationID" where pieces.count == 1: return .representationID
        case "Number": return .number(width: width)
        case "Bandwidth": return .bandwidth(width: width)
        case "Time": return .time(width: width)
        default: throw MPDError("template \"\(text)\" has an unknown identifier $\(body)$")
        }
    }

    public var usesTime: Bool { parts.contains { if case .time = $0 { return true } else { return false } } }
    public var usesNumber: Bool { parts.contains { if case .number = $0 { return true } else { return false } } }

    public func fill(representationID: String, number: Int = 0, bandwidth: Int = 0, time: Int64 = 0) -> String {
        parts.map { part in
            switch part {
            case .literal(let text): return text
            case .representationID: return representationID
            case .number(let width): return Self.padded(Int64(number), width)
            case .bandwidth(let width): return Self.padded(Int64(bandwidth), width)
            case .time(let width): return Self.padded(time, width)
            }
        }.joined()
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
