import Addressing
import Foundation
import MPD

/// How the player finds its edge, as `dashcdn play` names the modes.
public enum RoutingMode: Sendable, Equatable {
    /// The URL as given; several BaseURLs in the MPD are alternatives to fail over to.
    case direct
    /// `_http._tcp.<host>` SRV records from this DNS server name the edges, best first.
    case dns(server: String, port: Int)
    /// The URL's host resolved through this recursive resolver (SRV where the name has one,
    /// else A/AAAA on the URL's port), as a viewer's device does.
    case resolver(server: String, port: Int)
    /// The URL is the redirector's; its 302 names the edge.
    case redirect
    /// The MPD's ContentSteering server orders its BaseURLs (DASH-IF content steering).
    case steering
}

extension ListenAddress {
    /// The host and port a URL's requests go to (80 when an http URL names no port).
    init?(_ url: URL) {
        guard let host = url.host else { return nil }
        self.init(host: host, port: url.port ?? (url.scheme == "https" ? 443 : 80))
    }
}

/// Where requests go for now: a named edge, expressed as which BaseURL to use or whose
/// authority replaces the CDN's in every URL.
public struct EdgeChoice: Sendable, Equatable {
    /// What the log shows: the edge's DNS label, pathway or host:port.
    public var name: String
    /// Use the base with this serviceLocation (content steering)…
    var pathway: String?
    /// …or the base at this index (several plain BaseURLs).
    var baseIndex = 0
    /// DNS and 302 modes: send requests for the CDN's authority here instead.
    var authority: ListenAddress?

    /// The URL of `reference` on this edge. `logical` is the CDN's authority, the one DNS and
    /// 302 modes replace; URLs pointing anywhere else are left alone.
    func url(for reference: ResourceReference, bases: [BaseLocation], logical: ListenAddress?) -> URL? {
        guard !bases.isEmpty else { return nil }
        let base = pathway.flatMap { wanted in bases.first { $0.serviceLocation == wanted } }
            ?? bases[min(baseIndex, bases.count - 1)]
        guard let url = reference.url(against: base.url) else { return nil }
        guard let authority, let logical, ListenAddress(url) == logical,
              var components = URLComponents(url: url, resolvingAgainstBaseURL: true) else { return url }
        components.host = authority.host
        components.port = authority.port
        return components.url
    }
}
