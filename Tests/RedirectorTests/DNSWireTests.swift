import DNSWire
import Redirector
import Topology
import XCTest

/// The wire format without sockets: what the parser refuses, what the writer produces.
final class DNSWireTests: XCTestCase {
    private func rcode(_ bytes: [UInt8]) -> DNSResponseCode? {
        switch DNSQueryParser.parse(bytes) {
        case .query: return .noError
        case .reject(let response): return response.rcode
        case .drop: return nil
        }
    }

    /// A header for one question with the given counts, then `body`.
    private func message(qd: UInt16 = 1, an: UInt16 = 0, ns: UInt16 = 0, ar: UInt16 = 0, _ body: [UInt8]) -> [UInt8] {
        [0xAB, 0xCD, 0x01, 0x00] + [qd, an, ns, ar].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] } + body
    }

    func testWellFormedQueryParses() throws {
        guard case .query(let query) = DNSQueryParser.parse(QueryBuilder(name: "ViDeO.cdn.example.test").bytes()) else {
            return XCTFail("a plain query must parse")
        }
        XCTAssertEqual(query.question.name.description, "ViDeO.cdn.example.test.", "case is kept for the echo")
        XCTAssertEqual(query.question.name, DNSName("video.cdn.example.test"), "and ignored for comparison")
        XCTAssertEqual(query.edns?.udpPayloadSize, 1232)
    }

    func testClientMessagesRoundTrip() throws {
        // The player's query is one the server parses; the server's response reads back whole.
        let name = DNSName("_http._tcp.video.cdn.example.test")!
        guard case .query(let query) = DNSQueryParser.parse(DNSClientMessage.query(id: 99, name: name, type: .srv)) else {
            return XCTFail("the client's query must parse")
        }
        XCTAssertEqual(query.question.type, .srv)
        XCTAssertEqual(query.edns?.udpPayloadSize, 1232)
        let target = DNSName("edge-chi.cdn.example.test")!
        var response = DNSResponse(id: 99)
        response.question = query.question
        response.answers = [ResourceRecord(name: name, ttl: 20, data: .srv(priority: 0, weight: 10, port: 8082, target: target))]
        response.additional = [ResourceRecord(name: target, ttl: 20, data: .a([127, 0, 0, 1])),
                               ResourceRecord(name: target, ttl: 20, data: .aaaa(Array(repeating: 0, count: 15) + [1]))]
        response.edns = EDNSResponseOptions(udpPayloadSize: 1232)
        let parsed = try XCTUnwrap(DNSClientMessage.parseResponse(DNSMessageWriter.encode(response)))
        XCTAssertFalse(parsed.truncated)
        XCTAssertEqual(parsed.response.answers, response.answers)
        XCTAssertEqual(parsed.response.additional, response.additional, "the OPT record is skipped")
        let bytes = DNSMessageWriter.encode(response)
        for cut in [11, 20, bytes.count - 30, bytes.count - 1] {
            XCTAssertNil(DNSClientMessage.parseResponse(Array(bytes.prefix(cut))), "cut at \(cut)")
        }
    }

    func testMalformedMessages() {
        let question: [UInt8] = DNSName("a.test")!.wire + [0, 1, 0, 1]
        XCTAssertNil(rcode([0x12, 0x34, 0x01]), "a truncated header is dropped: there is no ID to answer")
        XCTAssertNil(rcode(Array(message(question).prefix(11))), "11 bytes are still no header")
        XCTAssertEqual(rcode(message(question)), .noError)
        XCTAssertEqual(rcode(message(Array(question.dropLast(2)))), .formatError, "question cut short")
        XCTAssertEqual(rcode(message([64] + Array(repeating: 0x61, count: 64) + [0, 0, 1, 0, 1])), .formatError,
                       "a 64-byte label (its length byte reads as an extended label type)")
        let longName: [UInt8] = Array(repeating: [UInt8(63)] + Array(repeating: UInt8(0x61), count: 63), count: 4).flatMap { $0 } + [0]
        XCTAssertEqual(rcode(message(longName + [0, 1, 0, 1])), .formatError, "a 257-byte name")
        XCTAssertEqual(rcode(message([0xC0, 12, 0, 1, 0, 1])), .formatError, "a pointer to itself")
        XCTAssertEqual(rcode(message([1, 0x61, 0xC0, 12, 0, 1, 0, 1])), .formatError, "a loop through an earlier label")
        XCTAssertEqual(rcode(message([0xC0, 20, 0, 1, 0, 1, 0, 0, 1, 0x61, 0])), .formatError, "a forward pointer")
        XCTAssertEqual(rcode(message([0xC0, 0xFF, 0, 1, 0, 1])), .formatError, "a pointer past the end")
        XCTAssertEqual(rcode(message(ar: 1, question)), .formatError, "an additional record that is not there")
        XCTAssertEqual(rcode(message(an: 3, question)), .formatError, "answers that are not there")
        XCTAssertEqual(rcode(message(qd: 2, question)), .formatError, "two questions")
        XCTAssertEqual(rcode(message(qd: 0, [])), .formatError, "no question")
        XCTAssertEqual(rcode(message(question + [0xDE, 0xAD])), .formatError, "trailing garbage")
        var response = message(question)
        response[2] |= 0x80
        XCTAssertNil(rcode(response), "a response is never answered (no reflection loops)")
        var notify = message(question)
        notify[2] = 0x20  // opcode 4, NOTIFY
        XCTAssertEqual(rcode(notify), .notImplemented)
    }

    func testEDNSRules() {
        var query = QueryBuilder()
        query.ednsVersion = 1
        XCTAssertEqual(rcodeOf(query.bytes()), .badVersion, "unknown EDNS version (RFC 6891 §6.1.3)")
        let one = QueryBuilder().bytes()
        var twoOPT = one + [0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0]
        twoOPT[11] = 2
        XCTAssertEqual(rcodeOf(twoOPT), .formatError, "two OPT records")
        var namedOPT = QueryBuilder(ednsPayload: nil).bytes() + [1, 0x61, 0, 0, 41, 4, 0xD0, 0, 0, 0, 0, 0, 0]
        namedOPT[11] = 1
        XCTAssertEqual(rcodeOf(namedOPT), .formatError, "an OPT owned by a name other than the root")
        for (ecs, why) in [
            (QueryBuilder.ecsData([127, 0, 20, 5], source: 24), "address bits past the source prefix"),
            (QueryBuilder.ecsData([127, 0, 20, 0], source: 24, scope: 24), "a scope in a query"),
            (QueryBuilder.ecsData([127, 0, 20, 0, 0], source: 33), "a prefix longer than IPv4"),
            (QueryBuilder.ecsData([127, 0, 20], source: 16), "more address octets than the prefix needs"),
            ([0, 3, 8, 0, 1], "an unknown family"),
        ] {
            XCTAssertEqual(rcodeOf(QueryBuilder(ecs: ecs).bytes()), .formatError, why)
        }
        XCTAssertEqual(rcodeOf(QueryBuilder(ecs: QueryBuilder.ecsData([127, 0, 20], source: 24)).bytes()), .noError)
    }

    private func rcodeOf(_ bytes: [UInt8]) -> DNSResponseCode? { rcode(bytes) }

    func testWriterCompressesAndTruncates() throws {
        let name = DNSName("video.cdn.example.test")!
        var response = DNSResponse(id: 7)
        response.question = DNSQuestion(name: name, type: .srv, dnsClass: 1)
        let target = DNSName("edge-nyc.cdn.example.test")!
        response.answers = (0..<40).map { _ in ResourceRecord(name: name, ttl: 20, data: .a([127, 0, 0, 1])) }
        response.additional = [ResourceRecord(name: target, ttl: 20, data: .a([127, 0, 0, 1]))]
        let full = DNSMessageWriter.encode(response)
        // Each A record costs 2 (pointer) + 10 + 4 bytes once its name is compressed.
        XCTAssertEqual(full.count, 12 + 28 + 40 * 16 + (11 + 14), "owner names become 2-byte pointers; a shared suffix too")
        XCTAssertEqual(ResponseHeader(full)?.answers, 40)
        let truncated = DNSMessageWriter.encode(response, limit: 512)
        let header = try XCTUnwrap(ResponseHeader(truncated))
        XCTAssertTrue(header.truncated)
        XCTAssertEqual([header.answers, header.additional, header.questions], [0, 0, 1], "TC: no records, the question kept")
    }
}
