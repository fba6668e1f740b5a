import Addressing
import Foundation
import MPD

/// Answers "which edges, best first?" for one routing mode. The answer may carry a lifetime
/// (content steering's TTL) after which it is asked again.
protocol EdgeRouter: Sendable {
    func route(_ logicalURL: URL) async throws -> (choices: [EdgeChoice], ttl: Double?)
}

/// The MPD's own BaseURLs, in its order (or the URL the MPD came from).
struct BaseURLRouter: EdgeRouter {
    let bases: [BaseLocation]

    func route(_ logicalURL: URL) async throws -> (choices: [EdgeChoice], ttl: Double?) {
        let choices = bases.enumerated().map { index, base in
            EdgeChoice(name: base.serviceLocation ?? ListenAddress(base.url)?.description ?? "base\(index + 1)", baseIndex: index)
        }
        return (choices, nil)
    }
}

/// DNS mode: the SRV records for the URL's host name the edges; requests keep their paths and
/// go to each edge's address and port.
struct DNSRouter: EdgeRouter {
    let server: String
    let port: Int
    let sourceAddress: String?

    func route(_ logicalURL: URL) async throws -> (choices: [EdgeChoice], ttl: Double?) {
        guard let host = logicalURL.host else { throw FetchError("\(logicalURL.absoluteString) has no host name to look up") }
        let targets = try await SRVLookup.lookup(host, server: server, port: port, sourceAddress: sourceAddress)
        return (targets.map { EdgeChoice(name: $0.label, authority: ListenAddress(host: $0.address, port: $0.port)) }, nil)
    }
}

/// Resolver mode: the URL's host resolved as a viewer's device does, through a recursive
/// resolver (which walks the delegations and sends the CDN the client's subnet).
struct ResolverRouter: EdgeRouter {
    let lookup: ResolverLookup

    func route(_ logicalURL: URL) async throws -> (choices: [EdgeChoice], ttl: Double?) {
        guard let host = logicalURL.host, let authority = ListenAddress(logicalURL) else {
            throw FetchError("\(logicalURL.absoluteString) has no host name to look up")
        }
        return (try await lookup.edges(for: host, port: authority.port), nil)
    }
}

/// 302 mode: the redirector answers each request path with the edge to use.
struct RedirectRouter: EdgeRouter {
    let fetcher: HTTPFetcher

    func route(_ logicalURL: URL) async throws -> (choices: [EdgeChoice], ttl: Double?) {
        let result = try await fetcher.get(logicalURL, keepBody: false, followRedirects: false, deadline: 3)
        guard let location = result.location, let target = URL(string: location, relativeTo: logicalURL)?.absoluteURL,
              let authority = ListenAddress(target) else {
            throw FetchError("the redirector at \(HTTPFetcher.peer(logicalURL)) answered \(result.status) without a usable Location")
        }
        return ([EdgeChoice(name: authority.description, authority: authority)], nil)
    }
}

/// Content steering (DASH-IF CTS): the steering server's PATHWAY-PRIORITY orders the MPD's
/// pathways for this client; asked again when its TTL runs out. If it cannot be reached, the
/// MPD's default pathway leads and the others follow in MPD order.
struct SteeringRouter: EdgeRouter {
    let steering: SteeringDescriptor
    let pathways: [String]
    let fetcher: HTTPFetcher
    let log: @Sendable (String) -> Void

    struct Response: Decodable {
        let version: Int
        let ttl: Double?
        let priority: [String]?

        enum CodingKeys: String, CodingKey {
            case version = "VERSION", ttl = "TTL", priority = "PATHWAY-PRIORITY"
        }
    }

    func route(_ logicalURL: URL) async throws -> (choices: [EdgeChoice], ttl: Double?) {
        do {
            let result = try await fetcher.get(steering.serverURL, keepBody: true, deadline: 3)
            let response = try JSONDecoder().decode(Response.self, from: result.body ?? Data())
            let ordered = (response.priority ?? []).filter(pathways.contains)
            guard response.version == 1, !ordered.isEmpty else {
                throw FetchError("no known pathway in PATHWAY-PRIORITY")
            }
            return (ordered.map { EdgeChoice(name: $0, pathway: $0) }, response.ttl ?? 300)
        } catch {
            log("steering server \(steering.serverURL.absoluteString): \(error); using the MPD's pathway order")
            let fallback = steering.defaultServiceLocation.map { [$0] } ?? []
            let order = fallback + pathways.filter { !fallback.contains($0) }
            return (order.map { EdgeChoice(name: $0, pathway: $0) }, 10)
        }
    }
}
