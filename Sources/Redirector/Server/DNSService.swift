import Addressing
import DNSSEC
import DNSWire
import NIOConcurrencyHelpers
import NIOCore
import ServerSupport
import Topology

/// Turns one query message into one response message (or silence) for either transport: rate
/// limit, parse, answer from the zone with the routing rule, encode within the size limit, and
/// log the routing decision.
public final class DNSService: Sendable {
    public let zone: AuthoritativeZone
    public let selector: EdgeSelector
    public let board: HealthBoard
    private let limiter: NIOLockedValueBox<ResponseRateLimiter>?
    private let log: LineLog

    public init(zone: AuthoritativeZone, selector: EdgeSelector, board: HealthBoard,
                rateLimit: ResponseRateLimiter.Settings, log: LineLog) {
        self.zone = zone
        self.selector = selector
        self.board = board
        limiter = rateLimit.responsesPerSecond > 0 ? NIOLockedValueBox(ResponseRateLimiter(settings: rateLimit)) : nil
        self.log = log
    }

    /// The reply to `message` from `client`; nil means say nothing. Only UDP replies are rate
    /// limited: a TCP peer has completed a handshake, so its address is not spoofed. With a
    /// `cache`, answers are reused while the health of the edges stays the same.
    public func reply(to message: [UInt8], from client: IPAddress, overTCP: Bool) -> [UInt8]? {
        reply(to: message, from: client, overTCP: overTCP, cache: nil)
    }

    func reply(to message: [UInt8], from client: IPAddress, overTCP: Bool, cache: ResponseCache?) -> [UInt8]? {
        var verdict = ResponseRateLimiter.Verdict.send
        if !overTCP, let limiter {
            let now = monotonicSeconds()
            verdict = limiter.withLockedValue { $0.verdict(for: client, now: now) }
            if verdict == .drop { return nil }
        }
        switch DNSQueryParser.parse(message) {
        case .drop:
            return nil
        case .reject(let rejection):
            return DNSMessageWriter.encode(rejection, limit: verdict == .truncate ? 0 : overTCP ? 65535 : DNSMessageWriter.classicUDPSize)
        case .query(let query):
            if verdict == .truncate { return DNSMessageWriter.encode(zone.respond(to: query, from: client, route: route).0, limit: 0) }
            return answer(query, from: client, limit: overTCP ? 65535 : DNSMessageWriter.udpLimit(for: query), cache: cache)
        }
    }

    private func route(_ address: IPAddress, _ prefix: Int) -> RoutingDecision {
        selector.decide(client: address, prefixLength: prefix, health: board.snapshot)
    }

    private func answer(_ query: DNSQuery, from client: IPAddress, limit: Int, cache: ResponseCache?) -> [UInt8] {
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
            log(hit.decision?.forClient(routedBy), query)
            return ResponseCache.patched(hit.bytes, for: query)
        }
        let (response, decision) = zone.respond(to: query, from: client, window: window, route: route)
        let bytes = DNSMessageWriter.encode(response, limit: limit)
        cache?.store(.init(bytes: bytes, decision: decision, generation: generation), for: key)
        log(decision, query)
        return bytes
    }

    private func log(_ decision: RoutingDecision?, _ query: DNSQuery) {
        if let decision, log.isEnabled {
            log.write(decision.logLine(via: "dns \(query.question.name) \(query.question.type)"))
        }
    }
}
