/// A request's method. The servers here serve reads only: GET and HEAD, and OPTIONS for CORS
/// preflights; anything else is named as sent, for the log and the 405.
public enum HTTPMethod: Sendable, Equatable, CustomStringConvertible {
    case get
    case head
    case options
    case other(String)

    /// Method tokens are case-sensitive (RFC 9110 §9.1): `get` is not GET.
    public init(_ token: String) {
        switch token {
        case "GET": self = .get
        case "HEAD": self = .head
        case "OPTIONS": self = .options
        default: self = .other(token)
        }
    }

    public var description: String {
        switch self {
        case .get: return "GET"
        case .head: return "HEAD"
        case .options: return "OPTIONS"
        case .other(let token): return token
        }
    }
}
