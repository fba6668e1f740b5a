import DNSSEC
import DNSWire
import Foundation
import Player
import TestSupport
import XCTest

/// The path a viewer's DNS query really takes, with software no one here wrote: Unbound walks
/// from the lab root (Knot) through `test.` to the content provider's CNAME, then to the
/// redirector the CDN's domain is delegated to, sending the client's subnet (ECS). Every zone is
/// signed (Knot's own, the redirector's online) and Unbound validates from the lab root.
final class DNSLabTests: XCTestCase {
    private static let ttl = 2
    private var cdn: PlaybackCDN?
    private var lab: DNSLab?
    private var decisionLog: URL!

    override func setUpWithError() throws {
        decisionLog = try Paths.temporaryFolder("dns-lab-log").appendingPathComponent("decisions.log")
        let keys = try SignedZone(in: try Paths.temporaryFolder("dns-lab-keys"))
        cdn = try PlaybackCDN(name: "dns-lab-cdn", redirector: ("\(DNSLab.redirectorAddress):53", Self.ttl, decisionLog.path),
                              dnssecKeys: keys.folder.path)
        lab = try DNSLab(redirector: "\(DNSLab.redirectorAddress):53", ds: keys.ds.path)
    }

    override func tearDown() {
        lab?.stop()
        cdn?.stop()
    }

    private func edgeAddress(_ name: String) -> String {
        "127.0.1.\(TestTopology.edgeNames.firstIndex(of: name)! + 1)"
    }

    /// Routing decisions the redirector logged for `zone` (one per query that reached it).
    private func decisions(in zone: String) throws -> Int {
        let text = (try? String(contentsOf: decisionLog, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { $0.contains("dns video.cdn.example.test. A") && $0.contains("zone=\(zone) ") }.count
    }

    func testEachZoneGetsItsNearestEdgeThroughTheResolverWhichCachesPerSubnet() throws {
        let lab = try XCTUnwrap(lab)
        for (zone, client, nearest) in TestTopology.zones {
            let answer = try lab.dig("video.netcinema.test", "A", from: client, options: ["+adflag"])
            XCTAssertEqual(answer.rcode, 0, zone)
            XCTAssertEqual(answer.data("CNAME"), ["video.cdn.example.test."], "the content provider's alias, from Knot")
            XCTAssertEqual(answer.data("A"), [edgeAddress(nearest)], "\(zone) is sent to \(nearest)")
            XCTAssertTrue(answer.authenticated, "validated from the lab root to the redirector's signature: AD")
        }
        // A neighbour in St. Louis's /24 is answered from Unbound's cache: no second decision.
        let neighbour = try lab.dig("video.netcinema.test", "A", from: "127.0.20.77")
        XCTAssertEqual(neighbour.data("A"), [edgeAddress("edge-chi")])
        Thread.sleep(forTimeInterval: 0.3)  // the log is written after the answer
        XCTAssertEqual(try decisions(in: "st-louis"), 1, "one query reached the redirector for the /24")
        // Boston, asked again, still gets its own edge: St. Louis's cached answer is scoped to its subnet.
        XCTAssertEqual(try lab.dig("video.netcinema.test", "A", from: "127.0.10.77").data("A"), [edgeAddress("edge-nyc")])
        XCTAssertEqual(try decisions(in: "boston"), 1)
    }

    func testAnswersChangeWithinTheTTLPlusThreeSecondsOfAnEdgeDying() throws {
        let lab = try XCTUnwrap(lab), cdn = try XCTUnwrap(cdn)
        let client = "127.0.20.5"
        XCTAssertEqual(try lab.dig("video.netcinema.test", "A", from: client).data("A"), [edgeAddress("edge-chi")])
        cdn.kill(1)
        let killed = Date()
        var answer: [String] = []
        while Date().timeIntervalSince(killed) < Double(Self.ttl) + 6 {
            answer = try lab.dig("video.netcinema.test", "A", from: client).data("A")
            if !answer.isEmpty, answer != [edgeAddress("edge-chi")] { break }
            Thread.sleep(forTimeInterval: 0.2)
        }
        let elapsed = Date().timeIntervalSince(killed)
        XCTAssertEqual(answer.count, 1)
        XCTAssertNotEqual(answer, [edgeAddress("edge-chi")], "still the dead edge after \(elapsed) s")
        XCTAssertLessThanOrEqual(elapsed, Double(Self.ttl) + 3, "TTL \(Self.ttl) s")
    }

    func testTheDelegationIsNotLameAndItsGlueMatches() throws {
        let lab = try XCTUnwrap(lab)
        let redirector = DNSLab.redirectorAddress
        // The parent (test., on Knot) refers to the redirector.
        let referral = try lab.dig("cdn.example.test", "NS", server: DNSLab.authAddress, options: ["+norec"])
        XCTAssertFalse(referral.authoritative)
        XCTAssertEqual(referral.authority.filter { $0.type == "NS" }.map(\.data), ["ns1.cdn.example.test."])
        XCTAssertEqual(referral.additional.filter { $0.type == "A" }.map(\.data), [redirector])
        // The child answers for its apex with authority and the same NS set and address.
        let apex = try lab.dig("cdn.example.test", "NS", server: redirector, options: ["+norec"])
        XCTAssertTrue(apex.authoritative, "a lame delegation answers without AA")
        XCTAssertEqual(apex.data("NS"), ["ns1.cdn.example.test."])
        let nameServer = try lab.dig("ns1.cdn.example.test", "A", server: redirector, options: ["+norec"])
        XCTAssertTrue(nameServer.authoritative)
        XCTAssertEqual(nameServer.data("A"), [redirector], "glue matches the child's own record")
        let soa = try lab.dig("cdn.example.test", "SOA", server: redirector, options: ["+norec"])
        XCTAssertTrue(soa.authoritative)
        XCTAssertTrue(soa.data("SOA").first?.hasPrefix("ns1.cdn.example.test. ") == true, "\(soa.answers)")
        // Through the resolver: the walk works, TTLs are the configured ones, a missing name is
        // NXDOMAIN with the SOA for negative caching.
        let routed = try lab.dig("video.cdn.example.test", "A", from: "127.0.30.5")
        XCTAssertEqual(routed.answers.map(\.ttl), [Self.ttl])
        // A missing name, at the redirector without DO: NXDOMAIN with the SOA for negative caching.
        let missing = try lab.dig("nothing.cdn.example.test", "A", server: redirector, options: ["+norec"])
        XCTAssertEqual(missing.rcode, 3)
        XCTAssertEqual(missing.authority.map(\.type), ["SOA"])
        XCTAssertLessThanOrEqual(missing.authority.first?.ttl ?? .max, Self.ttl)
        // Through the validating resolver: compact denial (RFC 9824), an NSEC listing NXNAME, AD.
        // Unbound 1.17 predates NXNAME and reports it as NOERROR without records (RFC 9824 §4).
        let denied = try lab.dig("nothing.cdn.example.test", "A", options: ["+dnssec"])
        XCTAssertEqual(denied.rcode, 0)
        XCTAssertTrue(denied.authenticated)
        XCTAssertTrue(denied.authority.contains { $0.type == "NSEC" && ($0.data.contains("NXNAME") || $0.data.contains("TYPE128")) }, "\(denied.authority)")
    }

    func testDelvValidatesTheWholeChainFromTheLabRoot() throws {
        let lab = try XCTUnwrap(lab)
        let run = try runProcess("delv", ["@\(DNSLab.resolverAddress)", "-a", try lab.rootAnchors().path, "-b", "127.0.10.5",
                                          "video.netcinema.test", "A"], timeout: 20)
        XCTAssertTrue(run.stdout.contains("; fully validated"), run.stdout + run.stderr)
        XCTAssertTrue(run.stdout.contains("RRSIG\tA 13 4 \(Self.ttl) ") || run.stdout.contains("RRSIG A 13 4"), run.stdout)
    }

    func testThePlayerResolvesThroughTheResolverAndPlaysFromItsNearestEdge() async throws {
        let probe = SessionProbe()
        let url = "http://video.netcinema.test/Manifests/\(EncodedLadder.title).mpd"
        let report = try await probe.play(url, PlaySettings(mode: .resolver(server: DNSLab.resolverAddress, port: 53),
                                                           sourceAddress: "127.0.20.5"))
        XCTAssertEqual(report.edges, ["edge-chi"], "SRV through the provider's CNAME names St. Louis's nearest edge")
        XCTAssertEqual(report.records.map(\.segment), Array(1...EncodedLadder.segments))
        XCTAssertEqual(report.summary.stalls, 0)
    }
}

/// Fresh keys for the CDN's zone, and its DS for the lab's `test.` zone.
struct SignedZone {
    let folder: URL
    let ds: URL

    init(in parent: URL) throws {
        folder = parent.appendingPathComponent("keys")
        try? FileManager.default.removeItem(at: folder)
        let keys = ZoneKeys.generate()
        try keys.write(to: folder)
        ds = folder.appendingPathComponent("ds.txt")
        try (keys.presentation(owner: DNSName("cdn.example.test")!, ttl: 20).ds + "\n").write(to: ds, atomically: true, encoding: .utf8)
    }
}
