import Addressing
import DNSWire
import Redirector
import TestSupport
import Topology
import XCTest

/// What the zone answers, from the query and a health board, without sockets.
final class ZoneAnswerTests: XCTestCase {
    private var config: CDNConfig!
    private var zone: AuthoritativeZone!
    private var selector: EdgeSelector!
    private var health: [EdgeHealth] = []

    override func setUpWithError() throws {
        config = try TestTopology.config()
        zone = try AuthoritativeZone(config: config, serial: 1)
        selector = EdgeSelector(config: config, affinityKm: 500)
        health = Array(repeating: EdgeHealth(up: true), count: 3)
    }

    private func ask(_ name: String, _ type: DNSRecordType, from client: String = "127.0.0.1",
                     ecs: [UInt8]? = nil, edns: Bool = true) throws -> (DNSResponse, RoutingDecision?) {
        let bytes = QueryBuilder(name: name, type: type.rawValue, ednsPayload: edns ? 1232 : nil, ecs: ecs).bytes()
        guard case .query(let query) = DNSQueryParser.parse(bytes) else { throw XCTSkip("query did not parse") }
        return zone.respond(to: query, from: IPAddress(client)!) { address, prefix in
            selector.decide(client: address, prefixLength: prefix, health: health)
        }
    }

    func testRoutingNameAnswersEachZonesNearestEdge() throws {
        for (zoneName, client, nearest) in TestTopology.zones {
            let (response, decision) = try ask("video.cdn.example.test", .a, from: client)
            XCTAssertEqual(response.answers.count, 1)
            XCTAssertEqual(decision?.zone, zoneName)
            XCTAssertEqual(decision?.chosen?.name, nearest)
            XCTAssertEqual(decision?.method, .zone)
            let (srv, _) = try ask("_http._tcp.video.cdn.example.test", .srv, from: client)
            guard case .srv(_, _, let port, let target) = srv.answers.first?.data else { return XCTFail("no SRV") }
            XCTAssertEqual(target.description, "\(nearest).cdn.example.test.")
            XCTAssertEqual(Int(port), config.edge(named: nearest)!.listen.port)
            XCTAssertEqual(srv.answers.count, 3, "every usable edge, best first")
            XCTAssertEqual(srv.additional.count, 3, "with the targets' addresses")
        }
    }

    func testClientSubnetDecidesAndSetsScope() throws {
        let (response, decision) = try ask("video.cdn.example.test", .a, ecs: QueryBuilder.ecsData([127, 0, 30], source: 24))
        XCTAssertEqual(decision?.chosen?.name, "edge-sfo", "the subnet, not the resolver's address, is the client")
        XCTAssertEqual(response.edns?.clientSubnet?.scopePrefixLength, 24)
        XCTAssertEqual(response.edns?.clientSubnet?.address, IPAddress("127.0.30.0"))
        let (_, optOut) = try ask("video.cdn.example.test", .a, from: "127.0.10.9", ecs: QueryBuilder.ecsData([], source: 0))
        XCTAssertEqual(optOut?.zone, "boston", "source prefix 0: route by the socket address")
    }

    func testNegativeAnswersCarryTheSOA() throws {
        let (missing, _) = try ask("nope.cdn.example.test", .a)
        XCTAssertEqual(missing.rcode, .nameError)
        XCTAssertEqual(missing.authority.first?.data.type, .soa)
        let (nodata, _) = try ask("video.cdn.example.test", .aaaa)
        XCTAssertEqual(nodata.rcode, .noError, "the name exists; the edges have no IPv6 address")
        XCTAssertTrue(nodata.answers.isEmpty)
        XCTAssertEqual(nodata.authority.first?.data.type, .soa)
        let (emptyNonTerminal, _) = try ask("_tcp.video.cdn.example.test", .a)
        XCTAssertEqual(emptyNonTerminal.rcode, .noError, "an empty non-terminal exists (RFC 8020)")
        let (outside, decision) = try ask("example.com", .a)
        XCTAssertEqual(outside.rcode, .refused)
        XCTAssertFalse(outside.authoritative)
        XCTAssertNil(decision)
        let (sibling, _) = try ask("other.netcinema.test", .a)
        XCTAssertEqual(sibling.rcode, .refused, "an alias makes only its own name ours")
    }

    func testAliasIsFollowedInsideTheZone() throws {
        let (response, decision) = try ask("WWW.netcinema.test", .a, from: "127.0.20.1")
        XCTAssertEqual(response.answers.map(\.data.type), [.cname, .a])
        XCTAssertEqual(response.answers[0].name.description, "WWW.netcinema.test.", "owner as asked")
        XCTAssertEqual(decision?.chosen?.name, "edge-chi")
        let (cnameOnly, _) = try ask("www.netcinema.test", .cname)
        XCTAssertEqual(cnameOnly.answers.map(\.data.type), [.cname])
    }

    func testApexAndNoEdgeLeft() throws {
        let (soa, _) = try ask("cdn.example.test", .soa)
        XCTAssertEqual(soa.answers.map(\.data.type), [.soa])
        let (ns, _) = try ask("cdn.example.test", .ns)
        XCTAssertEqual(ns.answers.map(\.data.type), [.ns])
        XCTAssertEqual(ns.additional.map(\.data.type), [.a], "glue for ns1")
        health = Array(repeating: EdgeHealth(up: false), count: 3)
        let (down, decision) = try ask("video.cdn.example.test", .a)
        XCTAssertEqual(down.rcode, .serverFailure)
        XCTAssertEqual(decision?.reason, "no healthy edge")
    }

    func testLargeAnswerTruncatesWithoutEDNS() throws {
        let edges = (0..<40).map { "  - {name: e\($0), listen: 127.0.0.1:\(9000 + $0), location: {lat: 40, lon: -74}}" }
        let yaml = TestTopology.yaml(edgePorts: [1, 2, 3]).components(separatedBy: "edges:\n")[0] + "edges:\n"
            + edges.joined(separator: "\n") + "\ndefault_location: {lat: 39, lon: -94}\n"
        let big = try CDNConfig.parse(yaml: yaml, file: "/tmp/big.yaml")
        let zone = try AuthoritativeZone(config: big, serial: 1)
        let selector = EdgeSelector(config: big, affinityKm: 0)
        let health = Array(repeating: EdgeHealth(up: true), count: 40)
        for (edns, limit) in [(false, 512), (true, 1232)] {
            let bytes = QueryBuilder(name: "_http._tcp.video.cdn.example.test", type: 33, ednsPayload: edns ? 4096 : nil).bytes()
            guard case .query(let query) = DNSQueryParser.parse(bytes) else { return XCTFail("no parse") }
            let (response, _) = zone.respond(to: query, from: IPAddress("127.0.0.1")!) {
                selector.decide(client: $0, prefixLength: $1, health: health)
            }
            let wire = DNSMessageWriter.encode(response, limit: DNSMessageWriter.udpLimit(for: query))
            XCTAssertLessThanOrEqual(wire.count, limit)
            XCTAssertEqual(ResponseHeader(wire)?.truncated, true, "40 SRV records and their glue do not fit \(limit) bytes")
            XCTAssertGreaterThan(DNSMessageWriter.encode(response).count, limit, "over TCP it all goes")
        }
    }
}
