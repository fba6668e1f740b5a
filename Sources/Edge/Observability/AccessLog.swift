import Foundation
import ServerSupport

/// Access log lines in nginx's combined style plus duration and cache status.
public final class AccessLog: RequestObserver {
    private let log: LineLog
    private let prefix: String

    public init(destination: LogDestination, serverName: String) throws {
        log = try LineLog(destination: destination, purpose: "access log")
        prefix = serverName
    }

    public func requestFinished(_ record: RequestRecord) {
        guard log.isEnabled else { return }
        let head = record.head
        let agent = Self.escaped(head?["user-agent"] ?? "-")
        let request = "\(head.map { "\($0.method)" } ?? "-") \(Self.escaped(head?.target ?? "-")) HTTP/1.\(head?.minorVersion ?? 1)"
        log.write("\(prefix) \(record.client) - - [\(HTTPDate.now())] \"\(request)\" \(record.status.code) \(record.bytesSent) "
            + "\"\(agent)\" \(String(format: "%.4f", record.seconds)) \(record.cacheStatus?.rawValue ?? "-")")
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
