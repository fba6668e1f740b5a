import DNSWire
import HTTPCore
import Topology

/// An HTTP answer of the redirector, decided without sockets.
public struct RedirectReply: Sendable, Equatable {
    public var status: HTTPStatus
    public var headers: [(String, String)]
    public var body: String

    public static func == (lhs: RedirectReply, rhs: RedirectReply) -> Bool {
        lhs.status == rhs.status && lhs.body == rhs.body && lhs.headers.elementsEqual(rhs.headers, by: ==)
    }
}

/// The redirector's HTTP modes as pure rules:
/// - `/steering[/<content>]`: a DASH-IF content steering manifest ordering the edges (pathways,
///   named as in the MPD's BaseURL@serviceLocation) for this client;
/// - `/healthz`: the redirector's view of every edge;
/// - any other path: `302 Found` to the same path on the chosen edge.
public struct RedirectRules: Sendable {
    public let ttl: Int
    public let edgeNames: [String]

    public init(ttl: Int, edgeNames: [String]) {
        self.ttl = ttl
        self.edgeNames = edgeNames
    }

    /// `decide` routes the client, given the content key for cache affinity. `hostFields`
    /// counts the request's Host fields: HTTP/1.1 needs exactly one (RFC 9112 §3.2).
    public func reply(method: HTTPMethod, target: String, hostFields: Int = 1, http11: Bool = true, health: [EdgeHealth],
                      requestedHeaders: String? = nil,
                      decide: (_ contentKey: String) -> RoutingDecision) -> (RedirectReply, RoutingDecision?) {
        let cors = ReadOnlyResource.corsHeaders.map { ($0.name, $0.value) }
        if hostFields > 1 || (http11 && hostFields == 0) {
            return (text(.badRequest, "An HTTP/1.1 request needs exactly one Host header.\n", extra: cors), nil)
        }
        switch ReadOnlyResource.verdict(for: method) {
        case .serve:
            break
        case .preflight:
            let headers = ReadOnlyResource.preflightHeaders(requested: requestedHeaders).map { ($0.name, $0.value) }
            return (RedirectReply(status: .noContent, headers: headers, body: ""), nil)
        case .notAllowed:
            return (text(.methodNotAllowed, "Only GET, HEAD and OPTIONS are answered.\n",
                         extra: cors + ReadOnlyResource.notAllowedHeaders.map { ($0.name, $0.value) }), nil)
        }
        guard target.hasPrefix("/") else { return (text(.badRequest, "Expected an origin-form target.\n", extra: cors), nil) }
        let path = String(target.prefix { $0 != "?" && $0 != "#" })
        if path == "/healthz" { return (healthReply(health, extra: cors), nil) }
        if path == "/steering" || path.hasPrefix("/steering/") {
            let decision = decide(String(path.dropFirst("/steering".count)))
            guard !decision.edges.isEmpty else { return (unavailable(cors), decision) }
            let pathways = decision.edges.map { "\"\($0.name)\"" }.joined(separator: ",")
            let body = "{\"VERSION\":1,\"TTL\":\(ttl),\"PATHWAY-PRIORITY\":[\(pathways)]}\n"
            return (RedirectReply(status: .ok,
                                  headers: cors + [("Content-Type", "application/json"), ("Cache-Control", "no-store")],
                                  body: body), decision)
        }
        let decision = decide(path)
        guard let edge = decision.chosen else { return (unavailable(cors), decision) }
        let location = "http://\(edge.listen)\(Self.uriSafe(target))"
        return (text(.found, "Found: \(location)\n",
                     extra: cors + [("Location", location), ("Cache-Control", "no-store")]), decision)
    }

    /// `target` with every byte a URI may not carry (RFC 3986: quotes, angle brackets,
    /// backslash, braces, controls, non-ASCII …) percent-encoded; existing escapes are kept.
    static func uriSafe(_ target: String) -> String {
        guard !target.utf8.allSatisfy(isURIByte) else { return target }
        var out = ""
        for byte in target.utf8 {
            if isURIByte(byte) {
                out.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }

    /// Unreserved, reserved and `%`.
    private static func isURIByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "-._~:/?#[]@!$&'()*+,;=%".utf8.contains(byte)
        }
    }

    private func unavailable(_ cors: [(String, String)]) -> RedirectReply {
        text(.serviceUnavailable, "No healthy edge can serve this client right now.\n",
             extra: cors + [("Retry-After", "1")])
    }

    private func healthReply(_ health: [EdgeHealth], extra: [(String, String)]) -> RedirectReply {
        let edges = zip(edgeNames, health).map { name, state in
            let load = state.load.map { "\(($0 * 1000).rounded() / 1000)" } ?? "null"
            let detail = state.detail.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "'")
            return "{\"name\":\"\(name)\",\"up\":\(state.up),\"load\":\(load),\"detail\":\"\(detail)\"}"
        }
        let healthy = health.contains { $0.up }
        let body = "{\"status\":\"\(healthy ? "ok" : "no healthy edge")\",\"edges\":[\(edges.joined(separator: ","))]}\n"
        return RedirectReply(status: .ok, headers: extra + [("Content-Type", "application/json"),
                                                                         ("Cache-Control", "no-store")], body: body)
    }

    private func text(_ status: HTTPStatus, _ body: String, extra: [(String, String)]) -> RedirectReply {
        RedirectReply(status: status, headers: extra + [("Content-Type", "text/plain; charset=utf-8")], body: body)
    }
}
