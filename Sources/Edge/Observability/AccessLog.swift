import CMCD
import Foundation
import ServerSupport

/// Access log lines: nginx's combined style plus duration and cache status, or JSON lines with
/// every field named and the client's CMCD.
public final class AccessLog: RequestObserver {
    private let log: LineLog
    private let prefix: String
    private let format: AccessLogFormat

    public init(destination: LogDestination, format: AccessLogFormat = .combined, serverName: String) throws {
        log = try LineLog(destination: destination, purpose: "access log")
        prefix = serverName
        self.format = format
    }

    public func requestFinished(_ record: RequestRecord) {
        guard log.isEnabled else { return }
        switch format {
        case .combined: log.write(combinedLine(record))
        case .json: log.write(jsonLine(record))
        }
    }

    private func combinedLine(_ record: RequestRecord) -> String {
        let head = record.head
        let agent = Self.escaped(head?["user-agent"] ?? "-")
        let request = "\(head.map { "\($0.method)" } ?? "-") \(Self.escaped(head?.target ?? "-")) HTTP/1.\(head?.minorVersion ?? 1)"
        return "\(prefix) \(record.client) - - [\(HTTPDate.now())] \"\(request)\" \(record.status.code) \(record.bytesSent) "
            + "\"\(agent)\" \(String(format: "%.4f", record.seconds)) \(record.cacheStatus?.rawValue ?? "-")"
    }

    /// One JSON object; the client's text is escaped by the encoder, so no line can be forged.
    private struct JSONLine: Encodable {
        let time: Double
        let server: String
        let client: String
        let zone: String?
        let method: String?
        let target: String?
        let status: Int
        let bytes: Int64
        let seconds: Double
        let cache: String?
        let user_agent: String?
        let cmcd: CMCDData?
    }

    private func jsonLine(_ record: RequestRecord) -> String {
        let line = JSONLine(time: Date().timeIntervalSince1970, server: prefix, client: record.client, zone: record.zone,
                            method: record.head.map { "\($0.method)" }, target: record.head?.target,
                            status: record.status.code, bytes: record.bytesSent, seconds: record.seconds,
                            cache: record.cacheStatus?.rawValue, user_agent: record.head?["user-agent"], cmcd: record.cmcd)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return (try? encoder.encode(line)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
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
