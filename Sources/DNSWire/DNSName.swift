/// A domain name as its uncompressed wire form (length-prefixed labels ending in a zero byte),
/// with the case it arrived in. Comparisons use `key`, the ASCII-lowercased form (RFC 4343).
public struct DNSName: Sendable, Hashable, CustomStringConvertible {
    /// Wire form with the original case, e.g. `[5, "v","i","d","e","o", 3, "c","o","m", 0]`.
    public let wire: [UInt8]
    /// Wire form lowercased: what names are compared and looked up by.
    public let key: [UInt8]

    public static let root = DNSName(validatedWire: [0])
    /// RFC 1035 §2.3.4: 255 octets in wire form, 63 per label.
    public static let maxWireLength = 255
    public static let maxLabelLength = 63

    init(validatedWire wire: [UInt8]) {
        self.wire = wire
        key = wire.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
    }

    /// A name from text such as `video.cdn.example.test` (a trailing dot is allowed).
    public init?(_ text: String) {
        var wire: [UInt8] = []
        let trimmed = text.hasSuffix(".") ? String(text.dropLast()) : text
        if !trimmed.isEmpty {
            for label in trimmed.split(separator: ".", omittingEmptySubsequences: false) {
                let bytes = Array(label.utf8)
                guard !bytes.isEmpty, bytes.count <= Self.maxLabelLength else { return nil }
                wire.append(UInt8(bytes.count))
                wire += bytes
            }
        }
        wire.append(0)
        guard wire.count <= Self.maxWireLength else { return nil }
        self.init(validatedWire: wire)
    }

    public static func == (lhs: DNSName, rhs: DNSName) -> Bool { lhs.key == rhs.key }
    public func hash(into hasher: inout Hasher) { hasher.combine(key) }

    /// The labels from left to right, without lengths.
    public var labels: [ArraySlice<UInt8>] {
        var out: [ArraySlice<UInt8>] = []
        var index = 0
        while wire[index] != 0 {
            let length = Int(wire[index])
            out.append(wire[(index + 1)...(index + length)])
            index += length + 1
        }
        return out
    }

    /// Offsets in `wire` where each suffix starts (the name itself first, the root excluded).
    var suffixOffsets: [Int] {
        var out: [Int] = []
        var index = 0
        while wire[index] != 0 {
            out.append(index)
            index += Int(wire[index]) + 1
        }
        return out
    }

    /// The name one label up (`cdn.example.test` for `video.cdn.example.test`); nil at the root.
    public var parent: DNSName? {
        guard wire[0] != 0 else { return nil }
        return DNSName(validatedWire: Array(wire[(Int(wire[0]) + 1)...]))
    }

    /// True when this name equals `ancestor` or sits below it.
    public func isSubdomain(of ancestor: DNSName) -> Bool {
        key.count >= ancestor.key.count && key.suffix(ancestor.key.count).elementsEqual(ancestor.key)
            && suffixOffsets.contains(key.count - ancestor.key.count) || ancestor.key == [0]
    }

    /// The next name after this one in DNSSEC's canonical order, `\000.<name>` (RFC 4471 §3.1.2):
    /// what compact denial's NSEC points to. Nil when the name is already at the length limit.
    public var immediateSuccessor: DNSName? {
        wire.count + 2 <= Self.maxWireLength ? DNSName(validatedWire: [1, 0] + key) : nil
    }

    /// Prepends a label: `DNSName("cdn.example.test")!.prepending("video")`.
    public func prepending(_ label: String) -> DNSName? { DNSName(label + "." + description) }

    /// Dotted text with a trailing dot; bytes outside printable ASCII are escaped as `\DDD`.
    public var description: String {
        if wire == [0] { return "." }
        var out = ""
        for label in labels {
            for byte in label {
                if byte > 0x20, byte < 0x7F, byte != UInt8(ascii: "."), byte != UInt8(ascii: "\\") {
                    out.unicodeScalars.append(Unicode.Scalar(byte))
                } else {
                    out += "\\" + String(repeating: "0", count: 3 - String(byte).count) + String(byte)
                }
            }
            out += "."
        }
        return out
    }
}
