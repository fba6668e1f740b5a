import CMCD
import HTTPCore

/// What to answer, decided without touching a socket: status, headers, and which bytes of the
/// representation form the body. The connection adds Date, Server, Connection and framing.
public struct ResponsePlan: Sendable {
    public enum Body: Sendable, Equatable {
        case none
        case text(String)
        /// Bytes `offset ..< offset+length` of the representation.
        case slice(offset: Int64, length: Int64)
    }

    public var status: HTTPStatus
    public var headers: [(name: String, value: String)]
    /// Adds `ReadOnlyResource.corsHeaders` (the encoder writes them from prebuilt bytes).
    public var crossOrigin = true
    public var body: Body
    /// Content-Length when it differs from the body sent (HEAD announces what GET would send).
    public var contentLength: Int64

    /// A representation of `size` bytes with the given validators and policy, answering GET or HEAD.
    public static func representation(for head: RequestHead, size: Int64, validators: Validators,
                                      policy: ContentPolicy) -> ResponsePlan {
        var headers: [(name: String, value: String)] = [
            ("Content-Type", policy.contentType),
            ("ETag", validators.etag),
            ("Last-Modified", validators.lastModifiedText),
            ("Cache-Control", policy.cacheControl),
            ("Accept-Ranges", "bytes"),
            (CMSDStatic.headerName, policy.serverData),
        ]
        let sendsBody = head.method == .get
        switch Preconditions.evaluate(head, validators: validators) {
        case .notModified:
            headers.removeAll { $0.name == "Content-Type" || $0.name == "Accept-Ranges" }
            return ResponsePlan(status: .notModified, headers: headers, body: .none, contentLength: -1)
        case .failed:
            return error(.preconditionFailed, "The representation does not match the request's preconditions.")
        case .proceed(let honourRange):
            switch honourRange ? ByteRangeRequest(header: head["range"], length: size) : .whole {
            case .whole:
                return ResponsePlan(status: .ok, headers: headers,
                                    body: sendsBody ? .slice(offset: 0, length: size) : .none, contentLength: size)
            case .range(let range):
                headers.append(("Content-Range", "bytes \(range.lowerBound)-\(range.upperBound)/\(size)"))
                let length = range.upperBound - range.lowerBound + 1
                return ResponsePlan(status: .partialContent, headers: headers,
                                    body: sendsBody ? .slice(offset: range.lowerBound, length: length) : .none,
                                    contentLength: length)
            case .unsatisfiable:
                var plan = error(.rangeNotSatisfiable, "The range starts past the end of the \(size)-byte representation.")
                plan.headers.append(("Content-Range", "bytes */\(size)"))
                return plan
            }
        }
    }

    /// A short plain-text error; never cached.
    public static func error(_ status: HTTPStatus, _ message: String, extra: [(name: String, value: String)] = []) -> ResponsePlan {
        let text = "\(status.code) \(status.reason): \(message)\n"
        return ResponsePlan(status: status,
                            headers: [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")] + extra,
                            body: .text(text), contentLength: Int64(text.utf8.count))
    }

    /// A generated document (health JSON, metrics text).
    public static func document(_ text: String, contentType: String, method: HTTPMethod) -> ResponsePlan {
        ResponsePlan(status: .ok, headers: [("Content-Type", contentType), ("Cache-Control", "no-store")],
                     body: method == .head ? .none : .text(text), contentLength: Int64(text.utf8.count))
    }

    /// The CORS preflight answer (its own Access-Control headers).
    public static func preflight(for head: RequestHead) -> ResponsePlan {
        ResponsePlan(status: .noContent,
                     headers: ReadOnlyResource.preflightHeaders(requested: head["access-control-request-headers"]),
                     crossOrigin: false, body: .none, contentLength: -1)
    }
}
