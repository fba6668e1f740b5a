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
