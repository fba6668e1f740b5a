import Addressing
import DNSWire
@testable import Redirector
import ServerSupport
import TestSupport
import Topology
import XCTest

/// DNS cookies (RFC 7873, 9018): the hash against its published vectors, then the reply path
/// without sockets: what a client with no cookie, a new cookie and a returned cookie receives.
final class CookieTests: XCTestCase {
    private let client = IPAddress("127.0.20.5")!

    private func service(_ policy: CookiePolicy = .enforce, rateLimit: Double = 0) throws -> DNSService {
        let config = try TestTopology.config()
        return DNSService(zone: try AuthoritativeZone(config: config, serial: 1), selector: EdgeSelector(config: config, affinityKm: 500),
                          board: HealthBoard(edgeCount: 3), rateLimit: .init(responsesPerSecond: rateLimit, slip: 0), cookies: policy,
                          log: try LineLog(destination: .off, purpose: "decision log"))
    }

    private func srvQuery(cookie: DNSCookie?) -> [UInt8] {
        DNSClientMessage.query(id: 7, name: DNSName("_http._tcp.video.cdn.example.test")!, type: .srv, cookie: cookie)
    }

    private static func hex(_ text: String) -> [UInt8] {
        stride(from: 0, to: text.count, by: 2).map { UInt8(text.dropFirst($0).prefix(2), radix: 16)! }
    }

    func testSipHashAndServerCookiesMatchThePublishedVectors() {
        // The SipHash paper, Appendix A: key 00…0f, message 00…0e.
        XCTAssertEqual(SipHash24.hash(key: Array(0...15), message: Array(0...14)), 0xa129_ca61_49be_45e5)
        // RFC 9018 Appendix A.1: a client learning its first server cookie.
        let cookies = ServerCookies(secret: Self.hex("e5e973e5a6b2a43f48e7dc849e37bfcf"))
        let made = cookies.make(for: Self.hex("2464c4abcf10c957"), client: IPAddress("198.51.100.100")!, now: 1_559_731_985)
        XCTAssertEqual(made, Self.hex("010000005cf79f111f8130c3eee29480"))
    }

    func testAnUnprovenClientGetsNoMoreThanTwiceItsQueryAndAProvenOneTheAnswer() throws {
        let service = try service()
        // No cookie at all: the SRV answer is several times the query, so TC instead.
        let bare = srvQuery(cookie: nil)
        let first = try XCTUnwrap(service.reply(to: bare, from: client, overTCP: false))
        XCTAssertTrue(ResponseHeader(first)!.truncated)
        XCTAssertLessThanOrEqual(first.count, 2 * bare.count)
        // A client cookie: still unproven (TC), but the reply hands it a server cookie.
        let clientCookie: [UInt8] = [1, 2, 3, 4, 5, 6, 7, 8]
        let learning = srvQuery(cookie: DNSCookie(client: clientCookie))
        let second = try XCTUnwrap(DNSClientMessage.parseResponse(try XCTUnwrap(service.reply(to: learning, from: client, overTCP: false))))
        XCTAssertTrue(second.truncated)
        let returned = try XCTUnwrap(second.response.edns?.cookie)
        XCTAssertEqual(returned.client, clientCookie)
        XCTAssertEqual(returned.server?.count, 16)
        // Returned from the same address: the whole answer, and a fresh cookie with it.
        let proven = srvQuery(cookie: returned)
        let third = try XCTUnwrap(DNSClientMessage.parseResponse(try XCTUnwrap(service.reply(to: proven, from: client, overTCP: false))))
        XCTAssertFalse(third.truncated)
        XCTAssertEqual(third.response.answers.count, 3)
        XCTAssertNotNil(third.response.edns?.cookie?.server)
        // The same cookie from another address proves nothing.
        let elsewhere = try XCTUnwrap(service.reply(to: proven, from: IPAddress("127.0.30.5")!, overTCP: false))
        XCTAssertTrue(ResponseHeader(elsewhere)!.truncated)
        // Over TCP the handshake is the proof.
        XCTAssertFalse(ResponseHeader(try XCTUnwrap(service.reply(to: bare, from: client, overTCP: true)))!.truncated)
        // Under `answer`, cookies are issued but never the reason for TC.
        XCTAssertFalse(ResponseHeader(try XCTUnwrap(try self.service(.answer).reply(to: bare, from: client, overTCP: false)))!.truncated)
    }

    func testAProvenClientIsExemptFromRateLimitingAndABadCookieIsFormerr() throws {
        let service = try service(rateLimit: 1)
        let learning = srvQuery(cookie: DNSCookie(client: [9, 9, 9, 9, 9, 9, 9, 9]))
        let cookie = try XCTUnwrap(DNSClientMessage.parseResponse(try XCTUnwrap(service.reply(to: learning, from: client, overTCP: false)))?
            .response.edns?.cookie)
        let proven = srvQuery(cookie: cookie)
        let answered = (0..<50).compactMap { _ in service.reply(to: proven, from: client, overTCP: false) }
        XCTAssertEqual(answered.count, 50, "a proven client is never dropped")
        let unproven = (0..<50).compactMap { _ in service.reply(to: srvQuery(cookie: nil), from: client, overTCP: false) }
        XCTAssertLessThan(unproven.count, 5, "over one response a second, unproven clients are dropped")
        // A cookie option of a length no client may send (RFC 7873 §5.2.2): 8 + 3 bytes.
        let formerr = try XCTUnwrap(service.reply(to: srvQuery(cookie: DNSCookie(client: [1, 2, 3, 4, 5, 6, 7, 8], server: [1, 2, 3])),
                                                  from: client, overTCP: true))
        XCTAssertEqual(ResponseHeader(formerr)!.rcode, 1)
    }
}
