import HTTPCore
import NIOCore

/// What the connection sends back: the plan, and where a body's bytes come from.
public struct Response: Sendable {
    public var plan: ResponsePlan
    public var source: Content.Source?
    public var cacheStatus: CacheStatus?
    /// Close the connection after this response (a request with a body, a malformed request).
    public var close: Bool

    public init(plan: ResponsePlan, source: Content.Source? = nil, cacheStatus: CacheStatus? = nil, close: Bool = false) {
        self.plan = plan
        self.source = source
        self.cacheStatus = cacheStatus
        self.close = close
    }
}

/// HTTP semantics above the socket: method rules, CORS preflight, the endpoints, and file
/// requests answered from a content source with ranges and preconditions applied.
public struct Router: Sendable {
    public let source: ContentSource
    /// Renders `/healthz` and `/metrics`.
    public let endpoint: @Sendable (String) -> (text: String, contentType: String)

    public init(source: ContentSource, endpoint: @escaping @Sendable (String) -> (text: String, contentType: String)) {
        self.source = source
        self.endpoint = endpoint
    }

    public func respond(to head: RequestHead, on eventLoop: EventLoop) -> Eventual<Response> {
        if head.hasBody {
            return .now(Response(
                plan: .error(.contentTooLarge, "This server accepts no request bodies."), close: true))
        }
        switch ReadOnlyResource.verdict(for: head.method) {
        case .serve:
            break
        case .preflight:
            return .now(Response(plan: .preflight(for: head)))
        case .notAllowed:
            return .now(Response(plan: .error(.methodNotAllowed, "Only GET, HEAD and OPTIONS are served.",
                                              extra: ReadOnlyResource.notAllowedHeaders)))
        }
        switch RequestTarget(head.target) {
        case .invalid:
            return .now(Response(plan: .error(.badRequest, "The path is not acceptable."), close: true))
        case .notFound:
            return .now(Response(plan: .error(.notFound, "Nothing is served at this path.")))
        case .endpoint(let path):
            let (text, type) = endpoint(path)
            return .now(Response(plan: .document(text, contentType: type, method: head.method)))
        case .file(let path):
            return source.lookup(path, on: eventLoop).map { lookup in
                switch lookup {
                case .found(let content):
                    let plan = ResponsePlan.representation(for: head, size: content.size, validators: content.validators,
                                                           policy: content.policy)
                    return Response(plan: plan, source: content.source, cacheStatus: content.cacheStatus)
                case .notFound:
                    return Response(plan: .error(.notFound, "No such file."))
                case .unavailable(let status, let reason):
                    return Response(plan: .error(status, reason), cacheStatus: .miss)
                }
            }
        }
    }
}
