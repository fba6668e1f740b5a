import Addressing
import DNSWire
import Edge
import Redirector
import ServerSupport
import TestSupport
import Topology
import XCTest

/// A million random and mutated packets through the whole reply path (parse, route, answer,
/// encode): never a crash, and every reply well formed, the query's ID, within the size limit.
final class FuzzTests: XCTestCase {
    func testMillionRandomAndMutatedPackets() throws {
        let config = try TestTopology.config()
        let service = DNSService(zone: try AuthoritativeZone(config: config, serial: 1),
                                 selector: EdgeSelector(config: config, affinityKm: 500),
                                 board: HealthBoard(edgeCount: 3), rateLimit: .init(responsesPerSecond: 0, slip: 0),
                                 log: try LineLog(destination: .off, purpose: "decision log"))
        var random = SeededGenerator(seed: 20261121)
        let seeds: [[UInt8]] = [
            QueryBuilder().bytes(),
            QueryBuilder(name: "www.netcinema.test", ecs: QueryBuilder.ecsData([127, 0, 10], source: 24)).bytes(),
            QueryBuilder(name: "_http._tcp.video.cdn.example.test", type: 33, ednsPayload: nil).bytes(),
            QueryBuilder(name: "cdn.example.test", type: 2).bytes(),
        ]
        let client = IPAddress("127.0.20.5")!
        var replies = 0, rejections = 0
        for round in 0..<1_000_000 {
            var packet: [UInt8]
            if round % 2 == 0 {
                packet = (0..<Int.random(in: 0...80, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) }
            } else {
                packet = seeds[round % seeds.count]
                for _ in 0..<Int.random(in: 1...4, using: &random) {
                    switch Int.random(in: 0...3, using: &random) {
                    case 0: packet[Int.random(in: 0..<packet.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
                    case 1: packet.removeLast(min(packet.count - 1, Int.random(in: 1...8, using: &random)))
                    case 2: packet.append(UInt8.random(in: 0...255, using: &random))
                    default: packet[Int.random(in: 0..<min(12, packet.count), using: &random)] ^= 1 << UInt8.random(in: 0...7, using: &random)
                    }
                }
            }
            let parsed = DNSQueryParser.parse(packet)
            guard let reply = service.reply(to: packet, from: client, overTCP: false) else {
                if case .query = parsed { XCTFail("a parsed query went unanswered: \(packet)") }
                continue
            }
            replies += 1
            guard let header = ResponseHeader(reply), header.isResponse, header.id == UInt16(packet[0]) << 8 | UInt16(packet[1]),
                  reply.count <= 1232 else {
                return XCTFail("malformed reply to \(packet)")
            }
            if case .reject = parsed {
                rejections += 1
                // FORMERR, NOTIMP, or BADVERS (rcode 0 in the header, 16 with the OPT's upper bits).
                XCTAssertTrue([1, 4].contains(header.rcode) || (header.rcode == 0 && header.additional == 1 && header.answers == 0))
            }
        }
        XCTAssertGreaterThan(replies, 100_000)
        XCTAssertGreaterThan(rejections, 10_000)
    }
}
