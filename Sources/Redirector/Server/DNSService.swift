import Edge
import NIOConcurrencyHelpers
import NIOCore
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
    /// limited: a TCP peer has completed a handshake, so its address is not spoofed.
    public func reply(to message: [UInt8], from client: IPAddress, overTCP: Bool) -> [UInt8]? {
        var verdict = ResponseRateLimiter.Verdict.send
        if !overTCP, let limiter {
            let now = Double(NIODeadline.now().uptimeNanoseconds) / 1e9
            verdict = limiter.withLockedValue { $0.verdict(for: client, now: now) }
            if verdict == .drop { return nil }
        }
        let response: DNSResponse
        var limit = overTCP ? 65535 : DNSMessageWriter.classicUDPSize
        switch DNSQueryParser.parse(message) {
        case .drop:
            return nil
        case .reject(let rejection):
            response = rejection
        case .query(let query):
            let (answer, decision) = zone.respond(to: query, from: client) { [selector, board] address, prefix in
                selector.decide(client: address, prefixLength: prefix, health: board.snapshot)
            }
            response = answer
            if !overTCP { limit = DNSMessageWriter.udpLimit(for: query) }
            if let decision, log.isEnabled {
                log.write(decision.logLine(via: "dns \(query.question.name) \(query.question.type)"))
            }
        }
        return DNSMessageWriter.encode(response, limit: verdict == .truncate ? 0 : limit)
    }
}
