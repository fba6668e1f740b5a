/// The statuses the servers send, with their reason phrases.
public enum HTTPStatus: Int, Sendable, CaseIterable {
    case ok = 200, noContent = 204, partialContent = 206
    case found = 302, notModified = 304
    case badRequest = 400, forbidden = 403, notFound = 404, methodNotAllowed = 405, requestTimeout = 408
    case preconditionFailed = 412, contentTooLarge = 413, uriTooLong = 414, rangeNotSatisfiable = 416
    case headerFieldsTooLarge = 431
    case internalServerError = 500, badGateway = 502, serviceUnavailable = 503, gatewayTimeout = 504
    case httpVersionNotSupported = 505

    public var code: Int { rawValue }

    public var reason: String {
        switch self {
        case .ok: return "OK"
        case .noContent: return "No Content"
        case .partialContent: return "Partial Content"
        case .found: return "Found"
        case .notModified: return "Not Modified"
        case .badRequest: return "Bad Request"
        case .forbidden: return "Forbidden"
        case .notFound: return "Not Found"
        case .methodNotAllowed: return "Method Not Allowed"
        case .requestTimeout: return "Request Timeout"
        case .preconditionFailed: return "Precondition Failed"
        case .contentTooLarge: return "Content Too Large"
        case .uriTooLong: return "URI Too Long"
        case .rangeNotSatisfiable: return "Range Not Satisfiable"
        case .headerFieldsTooLarge: return "Request Header Fields Too Large"
        case .internalServerError: return "Internal Server Error"
        case .badGateway: return "Bad Gateway"
        case .serviceUnavailable: return "Service Unavailable"
        case .gatewayTimeout: return "Gateway Timeout"
        case .httpVersionNotSupported: return "HTTP Version Not Supported"
        }
    }

    /// The status line, ready to write: made once per status, not per response.
    public var statusLine: String { Self.statusLines[self]! }

    private static let statusLines = Dictionary(uniqueKeysWithValues: allCases.map { ($0, "HTTP/1.1 \($0.rawValue) \($0.reason)\r\n") })
}
