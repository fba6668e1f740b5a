import Addressing
import DNSWire
import Edge
import Foundation
import Redirector
import ServerSupport
import TestSupport
import Topology
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// Three real HTTP nodes standing in as edges (the redirector only needs their /healthz) and a
/// redirector over them, all on loopback, checked with dig and curl.
final class RedirectorFixture {
    private(set) var edges: [CDNNode?]
    let ports: [Int]
    let config: CDNConfig
    let redirector: Redirector
    let decisionLog: String
    private let root: URL

    init(name: String, dnssecKeys: String? = nil) throws {
        root = try Paths.temporaryFolder(name)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Manifests"), withIntermediateDirectories: true)
        let rootPath = root.path
        // Ports outside the kernel's ephemeral range: a killed edge is revived on its port, which a
        // client socket could otherwise have been given in between.
        let nodes = try (0..<3).map { _ in try Self.node(root: rootPath, port: unusedPort()) }
        edges = nodes
        ports = nodes.map(\.port)
        decisionLog = root.appendingPathComponent("decisions.log").path
        config = try CDNConfig.parse(yaml: TestTopology.yaml(edgePorts: ports, decisionLog: decisionLog, dnssecKeys: dnssecKeys),
                                     file: root.appendingPathComponent("cdn.yaml").path)
        redirector = try Redirector(config: config)
    }

    static func node(root: String, port: Int) throws -> CDNNode {
        var limits = ServerLimits()
        limits.accessLog = .off
        return try CDNNode.origin(root: root, listen: ListenAddress(host: "127.0.0.1", port: port), limits: limits)
    }

    func kill(_ index: Int) {
        edges[index]?.stop()
        edges[index] = nil
    }

    func revive(_ index: Int) throws { edges[index] = try Self.node(root: root.path, port: ports[index]) }

    func stop() {
        redirector.stop()
        edges.forEach { $0?.stop() }
    }

    /// dig against the redirector; `arguments` are dig's (name, type, +options).
    func dig(_ arguments: [String]) throws -> String {
        let run = try runProcess("dig", ["@127.0.0.1", "-p", "\(redirector.dnsPort)", "+norec", "+time=2", "+tries=1"] + arguments,
                                 timeout: 10)
        return run.stdout
    }

    func digShort(_ arguments: [String]) throws -> [String] {
        try dig(arguments + ["+short"]).split(separator: "\n").map(String.init)
    }

    /// The first SRV target's edge name for a client subnet.
    func firstSRVEdge(subnet: String, tcp: Bool = false) throws -> String? {
        let lines = try digShort(["_http._tcp.video.cdn.example.test", "SRV", "+subnet=\(subnet)"] + (tcp ? ["+tcp"] : []))
        return lines.first?.split(separator: " ").last.map { String($0.split(separator: ".")[0]) }
    }
}

final class RedirectorServerTests: XCTestCase {
    private var fixture: RedirectorFixture!

    override func setUpWithError() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/dig") else {
            throw XCTSkip("dig is missing: run scripts/bootstrap")
        }
        fixture = try RedirectorFixture(name: "redirector-\(name.filter(\.isLetter))")
    }

    override func tearDown() { fixture?.stop() }

    func testDigSeesEveryRecordTypeOverUDPAndTCP() throws {
        for transport in ["+notcp", "+tcp"] {
            let a = try fixture.dig(["VIDEO.cdn.Example.test", "A", transport])
            XCTAssertTrue(a.contains("status: NOERROR"), a)
            XCTAssertTrue(a.contains("flags: qr aa"), "authoritative: \(a)")
            XCTAssertTrue(a.contains(";VIDEO.cdn.Example.test.\t\tIN\tA"), "the name's case is echoed: \(a)")
            XCTAssertTrue(a.contains("IN\tA\t127.0.0.1"), a)
            XCTAssertTrue(a.contains("udp: 1232"), "EDNS payload offered: \(a)")
            let aaaa = try fixture.dig(["video.cdn.example.test", "AAAA", transport])
            XCTAssertTrue(aaaa.contains("status: NOERROR") && aaaa.contains("ANSWER: 0") && aaaa.contains("IN\tSOA"),
                          "NODATA with the SOA: \(aaaa)")
            XCTAssertEqual(try fixture.digShort(["cdn.example.test", "SOA", transport]).first?.hasPrefix("ns1.cdn.example.test. hostmaster"), true)
            let ns = try fixture.dig(["cdn.example.test", "NS", transport])
            XCTAssertTrue(ns.contains("IN\tNS\tns1.cdn.example.test.") && ns.contains("ns1.cdn.example.test.\t20\tIN\tA\t127.0.0.1"), ns)
            XCTAssertEqual(try fixture.digShort(["www.netcinema.test", "A", transport]), ["video.cdn.example.test.", "127.0.0.1"],
                           "the CNAME chain is followed")
            let srv = try fixture.digShort(["_http._tcp.video.cdn.example.test", "SRV", transport])
            XCTAssertEqual(srv.count, 3)
            XCTAssertEqual(Set(srv.compactMap { $0.split(separator: " ").dropFirst(2).first.flatMap { Int($0) } }), Set(fixture.ports),
                           "SRV carries each edge's port: \(srv)")
            let missing = try fixture.dig(["nothing.cdn.example.test", "A", transport])
            XCTAssertTrue(missing.contains("status: NXDOMAIN") && missing.contains("IN\tSOA"), missing)
            let outside = try fixture.dig(["example.com", "A", transport])
            XCTAssertTrue(outside.contains("status: REFUSED"), "never an open resolver: \(outside)")
        }
    }

    func testCachedAnswersEchoEachQuerysCaseAndFollowHealth() throws {
        for spelling in ["video.cdn.example.test", "VIDEO.CDN.EXAMPLE.TEST", "vIdEo.cDn.ExAmPlE.tEsT"] {
            let answer = try fixture.dig([spelling, "A"])
            XCTAssertTrue(answer.contains(";\(spelling).\t\tIN\tA") && answer.contains("\(spelling).\t20\tIN\tA\t127.0.0.1"),
                          "the rendered answer is reused with this query's case: \(answer)")
        }
        XCTAssertEqual(try fixture.firstSRVEdge(subnet: "127.0.20.0/24"), "edge-chi")
        fixture.redirector.monitor.stop()  // so no check puts it back meanwhile
        fixture.redirector.service.board.update(1, to: EdgeHealth(up: false, detail: "test"))
        XCTAssertEqual(try fixture.firstSRVEdge(subnet: "127.0.20.0/24"), "edge-nyc", "a health change is seen at once")
    }

    func testEachZoneSubnetGetsItsNearestEdge() throws {
        for (_, client, nearest) in TestTopology.zones {
            let subnet = client.split(separator: ".").prefix(3).joined(separator: ".") + ".0/24"
            XCTAssertEqual(try fixture.firstSRVEdge(subnet: subnet), nearest, subnet)
            XCTAssertEqual(try fixture.firstSRVEdge(subnet: subnet, tcp: true), nearest, "over TCP too")
            let full = try fixture.dig(["video.cdn.example.test", "A", "+subnet=\(subnet)"])
            XCTAssertTrue(full.contains("CLIENT-SUBNET: \(subnet)/24"), "scope echoed: \(full)")
        }
        fixture.redirector.service.board.snapshot.forEach { XCTAssertTrue($0.up) }
        Thread.sleep(forTimeInterval: 0.5)  // the decision log is written in the background
        let log = try String(contentsOfFile: fixture.decisionLog, encoding: .utf8)
        XCTAssertTrue(log.contains("dns _http._tcp.video.cdn.example.test. SRV client=127.0.20.0 zone=st-louis method=zone edge=edge-chi reason=\"nearest"), log)
    }

    func testKilledEdgeLeavesWithinThreeSecondsAndComesBack() throws {
        let boston = "127.0.10.0/24"
        XCTAssertEqual(try fixture.firstSRVEdge(subnet: boston), "edge-nyc")
        fixture.kill(0)
        let killed = Date()
        var gone: Double?
        while Date().timeIntervalSince(killed) < 5 {
            let srv = try fixture.digShort(["_http._tcp.video.cdn.example.test", "SRV", "+subnet=\(boston)"])
            if !srv.joined().contains("edge-nyc") {
                gone = Date().timeIntervalSince(killed)
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertLessThan(try XCTUnwrap(gone, "edge-nyc was still answered after 5 s"), 3)
        XCTAssertEqual(try fixture.firstSRVEdge(subnet: boston), "edge-chi", "Boston falls back to the next nearest")
        try fixture.revive(0)
        let revived = Date()
        var back: Double?
        while Date().timeIntervalSince(revived) < 5 {
            if try fixture.firstSRVEdge(subnet: boston) == "edge-nyc" {
                back = Date().timeIntervalSince(revived)
                break
            }
            Thread.sleep(forTimeInterval: 0.1)
        }
        XCTAssertLessThan(try XCTUnwrap(back, "edge-nyc did not come back within 5 s"), 3)
    }

    func testRedirectAndSteeringFromEachZonesSourceAddress() throws {
        let base = "http://127.0.0.1:\(fixture.redirector.httpPort)"
        for (_, client, nearest) in TestTopology.zones {
            let port = fixture.config.edge(named: nearest)!.listen.port
            let redirect = try curlHead(base + "/manifests/t.mpd", source: client)
            XCTAssertTrue(redirect.contains("HTTP/1.1 302 Found"), redirect)
            XCTAssertTrue(redirect.contains("Location: http://127.0.0.1:\(port)/manifests/t.mpd"), "\(client): \(redirect)")
            let steering = try runProcess("curl", ["-s", "--max-time", "5", "--interface", client, base + "/steering/t"]).stdout
            XCTAssertTrue(steering.hasPrefix("{\"VERSION\":1,\"TTL\":20,\"PATHWAY-PRIORITY\":[\"\(nearest)\""), steering)
        }
    }

    func testHostilePacketsGetFormerrOrSilenceAndTheServerLivesOn() throws {
        let socket = try UDPClient(port: fixture.redirector.dnsPort)
        let question: [UInt8] = DNSName("a.test")!.wire + [0, 1, 0, 1]
        let header: [UInt8] = [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0]
        let hostile: [[UInt8]] = [
            [0xAB, 0xCD, 0x01],
            header + [64] + Array(repeating: 0x61, count: 64) + [0, 0, 1, 0, 1],
            header + Array(repeating: [UInt8(63)] + Array(repeating: UInt8(0x62), count: 63), count: 4).flatMap { $0 } + [0, 0, 1, 0, 1],
            header + [0xC0, 12, 0, 1, 0, 1],
            header + [0xC0, 20, 0, 1, 0, 1, 0, 0, 1, 0x61, 0],
            [0xAB, 0xCD, 0x01, 0x00, 0, 1, 0, 5, 0, 0, 0, 9] + question,
            header + question + [1, 2, 3, 4],
        ]
        for packet in hostile {
            socket.send(packet)
            if let reply = socket.receive(), let parsed = ResponseHeader(reply) {
                XCTAssertEqual(parsed.rcode, 1, "FORMERR or nothing for \(packet.prefix(16))")
            }
        }
        var random = SeededGenerator(seed: 7)
        for _ in 0..<20_000 {
            socket.send((0..<Int.random(in: 0...64, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        XCTAssertEqual(try fixture.digShort(["video.cdn.example.test", "A"]), ["127.0.0.1"], "still answering after the storm")
    }

    private func curlHead(_ url: String, source: String) throws -> String {
        try runProcess("curl", ["-s", "-i", "--max-time", "5", "--interface", source, url]).stdout
    }
}

/// A connected UDP socket with a short receive timeout.
final class UDPClient {
    let fd: CInt

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { throw ServerError("connect failed") }
        var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) { _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, 0) } }

    func receive() -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = recv(fd, &buffer, buffer.count, 0)
        return count > 0 ? Array(buffer[0..<count]) : nil
    }
}
