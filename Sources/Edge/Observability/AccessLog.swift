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

    public var isEnabled: Bool { log.isEnabled }

    public func record(client: String, method: String, target: String, minorVersion: Int, status: Int,
                       bytes: Int64, seconds: Double, cacheStatus: String?, userAgent: String?) {
        guard log.isEnabled else { return }
        let agent = (userAgent ?? "-").replacingOccurrences(of: "\"", with: "'")
        log.write("\(prefix) \(client) - - [\(HTTPDate.now())] \"\(method) \(target) HTTP/1.\(minorVersion)\" \(status) \(bytes) "
            + "\"\(agent)\" \(String(format: "%.4f", seconds)) \(cacheStatus ?? "-")")
    }

    public func flush() { log.flush() }
}
