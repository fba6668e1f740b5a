import Foundation

/// Access log lines in nginx's combined style plus duration and cache status.
public final class AccessLog: Sendable {
    private let log: LineLog
    private let prefix: String

    /// `destination` is `stdout`, `off`, or a file path (appended to).
    public init(destination: String, serverName: String) throws {
        log = try LineLog(destination: destination, purpose: "access log")
        prefix = serverName
    }

    public func record(client: String, method: String, target: String, minorVersion: Int, status: Int,
                       bytes: Int64, seconds: Double, cacheStatus: String?, userAgent: String?) {
        guard log.isEnabled else { return }
        let agent = Self.escaped(userAgent ?? "-")
        log.write("\(prefix) \(client) - - [\(HTTPDate.now())] \"\(method) \(Self.escaped(target)) HTTP/1.\(minorVersion)\" \(status) \(bytes) "
            + "\"\(agent)\" \(String(format: "%.4f", seconds)) \(cacheStatus ?? "-")")
    }

    /// A client's text made safe inside a quoted field, as nginx escapes it: a quote, a
    /// backslash, control bytes and non-ASCII bytes become `\xHH`, so no client can end the
    /// field early or forge a line.
    static func escaped(_ text: String) -> String {
        guard text.utf8.contains(where: needsEscape) else { return text }
        var out = ""
        for byte in text.utf8 {
            if needsEscape(byte) {
                out += String(format: "\\x%02X", byte)
            } else {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            }
        }
        return out
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte >= 0x7F || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    public func flush() { log.flush() }
}
