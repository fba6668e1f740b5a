import HTTPCore
/// Finds and parses one request head at the start of a byte buffer, within size limits. Pure: the
/// connection handler feeds it what has arrived and acts on the outcome.
public struct RequestHeadParser: Sendable {
    public enum Outcome: Equatable {
        /// More bytes are needed.
        case incomplete
        /// A head, and how many bytes it took (the next request starts after them).
        case complete(RequestHead, consumed: Int)
        /// The request cannot be served; answer with this status and close.
        case reject(HTTPStatus)
    }

    /// Longest request line (method, target, version): longer gets 414, as in nginx.
    public var maxRequestLine = 8192
    /// Longest header line, and all header lines together: longer gets 431.
    public var maxHeaderLine = 8192
    public var maxHeadBytes = 32768

    public init() {}

    public func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        // Lines end in LF, optionally preceded by CR (RFC 9112 §2.2 lets a server accept bare LF).
        var lines: [Range<Int>] = []
        var lineStart = 0
        var index = 0
        let count = bytes.count
        while index < count {
            if bytes[index] == 0x0A {
                var end = index
                if end > lineStart, bytes[end - 1] == 0x0D { end -= 1 }
                if end == lineStart {
                    // Blank line. Before any request line, RFC 9112 §2.2 says to ignore it.
                    if lines.isEmpty { lineStart = index + 1; index += 1; continue }
                    return finish(bytes, lines: lines, consumed: index + 1)
                }
                let limit = lines.isEmpty ? maxRequestLine : maxHeaderLine
                if end - lineStart > limit { return .reject(lines.isEmpty ? .uriTooLong : .headerFieldsTooLarge) }
                lines.append(lineStart..<end)
                lineStart = index + 1
                if index + 1 > maxHeadBytes { return .reject(.headerFieldsTooLarge) }
            }
            index += 1
        }
        // Still waiting: refuse early once the limits are already exceeded.
        if lines.isEmpty && count - lineStart > maxRequestLine { return .reject(.uriTooLong) }
        if !lines.isEmpty && count - lineStart > maxHeaderLine { return .reject(.headerFieldsTooLarge) }
        if count > maxHeadBytes { return lines.isEmpty ? .reject(.uriTooLong) : .reject(.headerFieldsTooLarge) }
        return .incomplete
    }

    private func finish(_ bytes: UnsafeRawBufferPointer, lines: [Range<Int>], consumed: Int) -> Outcome {
        guard let requestLine = lines.first,
              let (method, target, minor) = Self.requestLine(UnsafeRawBufferPointer(rebasing: bytes[requestLine])) else {
            return .reject(.badRequest)
        }
        if minor < 0 { return .reject(.httpVersionNotSupported) }
        var headers: [(name: String, value: String)] = []
        headers.reserveCapacity(lines.count - 1)
        for line in lines.dropFirst() {
            guard let header = Self.headerLine(UnsafeRawBufferPointer(rebasing: bytes[line])) else { return .reject(.badRequest) }
            headers.append(header)
        }
        let head = RequestHead(method: HTTPMethod(method), target: target, minorVersion: minor, headers: headers)
        // RFC 9112 §3.2: a 1.1 request without Host, or with several, is rejected.
        if minor >= 1 && headers.lazy.filter({ $0.name == "host" }).count != 1 { return .reject(.badRequest) }
        // Both framing headers at once is a request-smuggling signature (RFC 9112 §6.1).
        if head["transfer-encoding"] != nil && head["content-length"] != nil { return .reject(.badRequest) }
        if head["content-length"] != nil, Self.contentLength(headers) == nil { return .reject(.badRequest) }
        return .complete(head, consumed: consumed)
    }

    /// The one length that every Content-Length field and list member agrees on; nil when they
    /// differ or one is not a number. Differing lengths are how request smuggling desynchronises
    /// two parsers (RFC 9112 §6.3: such a message is unrecoverable, answer 400).
    static func contentLength(_ headers: [(name: String, value: String)]) -> Int? {
        var agreed: Int?
        for header in headers where header.name == "content-length" {
            for member in header.value.split(separator: ",", omittingEmptySubsequences: false) {
                let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
                let text = String(member.drop(while: blank).reversed().drop(while: blank).reversed())
                guard !text.isEmpty, text.utf8.allSatisfy(isDigit), let value = Int(text) else { return nil }
                if let agreed, agreed != value { return nil }
                agreed = value
            }
        }
        return agreed
    }

    /// `METHOD SP target SP HTTP/1.x`; minor version -1 stands for a version this server does not speak.
    static func requestLine(_ line: UnsafeRawBufferPointer) -> (String, String, Int)? {
        let parts = line.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty,
              parts[0].allSatisfy(isTokenByte), parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else { return nil }
        let version = Array(parts[2])
        let prefix = Array("HTTP/".utf8)
        guard version.count == 8, Array(version[0..<5]) == prefix, version[6] == UInt8(ascii: "."),
              isDigit(version[5]), isDigit(version[7]) else { return nil }
        let minor = version[5] == UInt8(ascii: "1") ? Int(version[7] - UInt8(ascii: "0")) : -1
        return (String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self), minor)
    }

    /// `name: value` with no space before the colon and no obsolete line folding (RFC 9112 §5).
    static func headerLine(_ line: UnsafeRawBufferPointer) -> (name: String, value: String)? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > 0 else { return nil }
        let name = line[0..<colon]
        guard name.allSatisfy(isTokenByte) else { return nil }
        var start = colon + 1, end = line.count
        while start < end, line[start] == 0x20 || line[start] == 0x09 { start += 1 }
        while end > start, line[end - 1] == 0x20 || line[end - 1] == 0x09 { end -= 1 }
        let value = line[start..<end]
        guard value.allSatisfy({ $0 >= 0x20 && $0 != 0x7F || $0 == 0x09 }) else { return nil }
        return (String(decoding: name, as: UTF8.self).lowercased(), String(decoding: value, as: UTF8.self))
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// RFC 9110 §5.6.2 tchar.
    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            return true
        default: return false
        }
    }
}
