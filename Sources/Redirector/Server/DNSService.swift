import Addressing
import DNSSEC
import DNSWire
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import ServerSupport
import Topology

/// Turns one query message into one response message (or silence) for either transport: parse,
/// check the client's DNS cookie, rate limit, answer from the zone with the routing rule, encode
/// within the size limit (and, for a client not proven by its cookie, within twice its query),
/// add the cookie, and log the routing decision.
public final class DNSService: Sendable {
    public let zone: AuthoritativeZone
    public let selector: EdgeSelector
    public let board: HealthBoard
    private let limiter: NIOLockedValueBox<ResponseRateLimiter>?
    private let log: LineLog
    private let cookies: CookiePolicy
    private let serverCookies: ServerCookies
    private let wallClock: @Sendable () -> Double

    public init(zone: AuthoritativeZone, selector: EdgeSelector, board: HealthBoard,
                rateLimit: ResponseRateLimiter.Settings, cookies: CookiePolicy = .enforce, serverCookies: ServerCookies = .random(),
                log: LineLog, wallClock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.zone = zone
        self.selector = selector
        self.board = board
        limiter = rateLimit.responsesPerSecond > 0 ? NIOLockedValueBox(ResponseRateLimiter(settings: rateLimit)) : nil
        self.cookies = cookies
        self.serverCookies = serverCookies
        self.log = log
        self.wallClock = wallClock
    }

    /// The reply to `message` from `client`; nil means say nothing. Only UDP replies are rate
    /// limited: a TCP peer has completed a handshake, so its address is not spoofed. With a
    /// `cache`, answers are reused while the health of the edges stays the same.
    public func reply(to message: [UInt8], from client: IPAddress, overTCP: Bool) -> [UInt8]? {
        reply(to: message, from: client, overTCP: overTCP, cache: nil)
    }

    func reply(to message: [UInt8], from client: IPAddress, overTCP: Bool, cache: ResponseCache?) -> [UInt8]? {
        switch DNSQueryParser.parse(message) {
        case .drop:
            return nil
        case .reject(let rejection):
            guard let verdict = rateLimit(client, overTCP: overTCP) else { return nil }
            return DNSMessageWriter.encode(rejection, limit: verdict == .truncate ? 0 : overTCP ? 65535 : DNSMessageWriter.classicUDPSize)
        case .query(let query):
            let now = UInt32(truncatingIfNeeded: Int64(wallClock()))
            let cookie = cookies == .off ? nil : query.edns?.cookie
            // A valid server cookie proves the client receives at its address: no spoofed victim.
            let verified = overTCP || cookie.map { serverCookies.isValid($0, client: client, now: now) } == true
            guard let verdict = verified ? .send : rateLimit(client, overTCP: overTCP) else { return nil }
            let cookieBytes = cookie.map { 4 + $0.client.count + 16 } ?? 0
            var (bytes, decision) = verdict == .truncate ? (truncated(query), nil)
                : answer(query, from: client, limit: (overTCP ? 65535 : DNSMessageWriter.udpLimit(for: query)) - cookieBytes, cache: cache)
            // An unverified UDP client never receives more than twice what it sent (RFC 7873 §1);
            // it asks again over TCP, and that answer is the one the decision log shows.
            if !verified, cookies == .enforce, bytes.count > 2 * message.count { (bytes, decision) = (truncated(query), nil) }
            log(decision, query)
            guard let cookie, let edns = query.edns else { return bytes }
            let server = serverCookies.make(for: cookie.client, client: client, now: now)
            return DNSMessageWriter.appendingOption(code: DNSCookie.optionCode, value: cookie.client + server, to: bytes,
                                                    edns: zone.responseEDNS(for: edns))
        }
    }

    /// The rate limiter's verdict for a UDP reply (TCP is never limited); nil: say nothing.
    private func rateLimit(_ client: IPAddress, overTCP: Bool) -> ResponseRateLimiter.Verdict? {
        guard !overTCP, let limiter else { return .send }
        let now = monotonicSeconds()
        let verdict = limiter.withLockedValue { $0.verdict(for: client, now: now) }
        return verdict == .drop ? nil : verdict
    }

    /// TC and no records: the client asks again over TCP, where its address is proven.
    private func truncated(_ query: DNSQuery) -> [UInt8] {
        var response = DNSResponse(id: query.id)
        response.recursionDesired = query.recursionDesired
        response.checkingDisabled = query.checkingDisabled
        response.authoritative = true
        response.question = query.question
        response.edns = query.edns.map(zone.responseEDNS(for:))
        return DNSMessageWriter.encode(response, limit: 0)
    }

    private func route(_ address: IPAddress, _ prefix: Int) -> RoutingDecision {
        selector.decide(client: address, prefixLength: prefix, health: board.snapshot)
    }

    /// The encoded answer and the routing decision it carries (logged by the caller once the
    /// answer is really sent).
    private func answer(_ query: DNSQuery, from client: IPAddress, limit: Int, cache: ResponseCache?) -> ([UInt8], RoutingDecision?) {
        let question = query.question
        let subnet = query.edns?.clientSubnet
        let routedBy = subnet.flatMap { $0.sourcePrefixLength > 0 ? $0.address : nil } ?? client
        // Signed answers are kept per signature window: a new window renders them again.
        let window = query.edns?.dnssecOK == true && zone.signer != nil ? SignatureWindow.current : nil
        let key = ResponseCache.Key(name: question.name.key, type: question.type.rawValue, dnsClass: question.dnsClass,
                                    limit: limit, edns: query.edns != nil, subnet: subnet,
                                    routingClass: selector.routingClass(of: routedBy), signatures: window)
        let generation = board.generation
        if let cache, let hit = cache.lookup(key, generation: generation) {
            return (ResponseCache.patched(hit.bytes, for: query), hit.decision?.forClient(routedBy))
        }
        let (response, decision) = zone.respond(to: query, from: client, window: window, route: route)
        let bytes = DNSMessageWriter.encode(response, limit: limit)
        cache?.store(.init(bytes: bytes, decision: decision, generation: generation), for: key)
        return (bytes, decision)
    }

    private func log(_ decision: RoutingDecision?, _ query: DNSQuery) {
        if let decision, log.isEnabled {
            log.write(decision.logLine(via: "dns \(query.question.name) \(query.question.type)"))
        }
    }
}
