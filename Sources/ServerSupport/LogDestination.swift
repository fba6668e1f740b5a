/// Where a server's per-request lines (access log, decision log) go.
public enum LogDestination: Sendable, Equatable, CustomStringConvertible {
    case standardOutput
    case off
    /// Appended to.
    case file(String)

    /// `stdout`, `off`, or a path; `resolve` makes a relative path absolute.
    public init(_ text: String, resolve: (String) -> String = { $0 }) {
        switch text {
        case "stdout": self = .standardOutput
        case "off": self = .off
        default: self = .file(resolve(text))
        }
    }

    public var description: String {
        switch self {
        case .standardOutput: return "stdout"
        case .off: return "off"
        case .file(let path): return path
        }
    }
}

/// How an access log line is written: nginx's combined style (plus duration and cache status),
/// or one JSON object per line with every field named (CMCD's keys included).
public enum AccessLogFormat: String, Sendable, CaseIterable {
    case combined
    case json
}
