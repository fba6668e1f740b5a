import Addressing
import DNSWire
import HTTPCore
import Redirector
import TestSupport
import Topology
import XCTest

/// The routing rule, rate limiting and the HTTP rules as pure functions.
final class RoutingTests: XCTestCase {
    private let up = EdgeHealth(up: true)

    func testDownAndOverloadedEdgesAreSkipped() throws {
        let selector = EdgeSelector(config: try TestTopology.config(), affinityKm: 500)
        let boston = IPAddress("127.0.10.5")!
        let nearest = selector.decide(client: boston, prefixLength: 32, health: [up, up, up])
        XCTAssertEqual(nearest.edges.map(\.name), ["edge-nyc", "edge-chi", "edge-sfo"])
        XCTAssertEqual(nearest.method, .zone)
        XCTAssertTrue(nearest.reason.hasPrefix("nearest"), nearest.reason)
        let nycDown = selector.decide(client: boston, prefixLength: 32, health: [EdgeHealth(up: false), up, up])
        XCTAssertEqual(nycDown.edges.map(\.name), ["edge-chi", "edge-sfo"], "a down edge is never named")
        XCTAssertEqual(nycDown.method, .geo)
        XCTAssertTrue(nycDown.reason.contains("edge-nyc down"), nycDown.reason)
        let nycBusy = selector.decide(client: boston, prefixLength: 32, health: [EdgeHealth(up: true, load: 1.3), up, up])
        XCTAssertEqual(nycBusy.edges.map(\.name), ["edge-chi", "edge-sfo", "edge-nyc"], "overloaded: last, not dropped")
        XCTAssertTrue(nycBusy.reason.contains("overloaded (load 130%)"), nycBusy.reason)
        let allBusy = Array(repeating: EdgeHealth(up: true, load: 2), count: 3)
        XCTAssertEqual(selector.decide(client: boston, prefixLength: 32, health: allBusy).chosen?.name, "edge-nyc",
                       "when every edge is overloaded, distance decides again")
        let stranger = selector.decide(client: IPAddress("127.0.99.1")!, prefixLength: 32, health: [up, up, up])
        XCTAssertEqual(stranger.method, .default)
        XCTAssertEqual(stranger.chosen?.name, "edge-chi", "Kansas City's nearest")
        XCTAssertEqual(stranger.scopePrefixLength, 32)
    }

    func testPathAffinitySpreadsAndKeepsObjects() throws {
        // A fourth edge in Boston itself: with a 500 km radius, Boston's clients share nyc and bos.
        let extra = ""
        var yaml = TestTopology.yaml(edgePorts: [1, 2, 3], extra: extra)
        yaml = yaml.replacingOccurrences(of: "coverage:\n", with:
            "  - {name: edge-bos, listen: 127.0.0.1:4, location: {lat: 42.36, lon: -71.05}}\ncoverage:\n")
        let config = try CDNConfig.parse(yaml: yaml, file: "/tmp/affinity.yaml")
        let selector = EdgeSelector(config: config, affinityKm: 500)
        let boston = IPAddress("127.0.10.5")!
        let paths = (1...200).map { "/media/sample/720p/\($0).m4s" }
        let all = Array(repeating: up, count: 4)
        let chosen = paths.map { selector.decide(client: boston, prefixLength: 32, health: all, contentKey: $0).chosen!.name }
        let counts = Dictionary(grouping: chosen, by: { $0 }).mapValues(\.count)
        XCTAssertEqual(Set(counts.keys), ["edge-bos", "edge-nyc"], "only the nearby edges share the load")
        XCTAssertGreaterThan(counts.values.min() ?? 0, 60, "and share it roughly evenly: \(counts)")
        let again = paths.map { selector.decide(client: boston, prefixLength: 32, health: all, contentKey: $0).chosen!.name }
        XCTAssertEqual(chosen, again, "the same path always goes to the same edge")
        var bosDown = all
        bosDown[3] = EdgeHealth(up: false)
        for (path, before) in zip(paths, chosen) where before == "edge-nyc" {
            XCTAssertEqual(selector.decide(client: boston, prefixLength: 32, health: bosDown, contentKey: path).chosen?.name,
                           "edge-nyc", "paths of a surviving edge do not move")
        }
    }

    func testRateLimiterDropsAndSlips() {
        var limiter = ResponseRateLimiter(settings: .init(responsesPerSecond: 10, slip: 2))
        let client = IPAddress("127.0.20.5")!
        let verdicts = (0..<20).map { _ in limiter.verdict(for: client, now: 100) }
        XCTAssertEqual(verdicts.prefix(10).filter { $0 == .send }.count, 10, "the first second's budget goes out")
        XCTAssertEqual(Array(verdicts.suffix(10)), [.drop, .truncate, .drop, .truncate, .drop, .truncate, .drop, .truncate, .drop, .truncate])
        XCTAssertEqual(limiter.verdict(for: IPAddress("127.0.20.77")!, now: 100), .drop, "the whole /24 shares one budget")
        XCTAssertEqual(limiter.verdict(for: IPAddress("127.0.21.1")!, now: 100), .send, "another /24 has its own")
        XCTAssertEqual(limiter.verdict(for: client, now: 100.5), .send, "tokens come back with time")
        var off = ResponseRateLimiter(settings: .init(responsesPerSecond: 0, slip: 2))
        XCTAssertTrue((0..<1000).allSatisfy { _ in off.verdict(for: client, now: 1) == .send })
    }

    func testRedirectRules() throws {
        let config = try TestTopology.config()
        let selector = EdgeSelector(config: config, affinityKm: 0)
        let rules = RedirectRules(ttl: 20, edgeNames: config.edges.map(\.name))
        let client = IPAddress("127.0.30.5")!
        func reply(_ method: String, _ target: String, health: [EdgeHealth]? = nil) -> RedirectReply {
            let states = health ?? [up, up, up]
            return rules.reply(method: HTTPMethod(method), target: target, health: states) {
                selector.decide(client: client, prefixLength: 32, health: states, contentKey: $0)
            }.0
        }
        let redirect = reply("GET", "/media/sample/240p/1.m4s?x=1")
        XCTAssertEqual(redirect.status.code, 302)
        XCTAssertEqual(redirect.headers.first { $0.0 == "Location" }?.1, "http://127.0.0.1:8083/media/sample/240p/1.m4s?x=1")
        let steering = reply("GET", "/steering/sample?_DASH_pathway=edge-nyc&_DASH_throughput=5000000")
        XCTAssertEqual(steering.status.code, 200)
        XCTAssertEqual(steering.body, "{\"VERSION\":1,\"TTL\":20,\"PATHWAY-PRIORITY\":[\"edge-sfo\",\"edge-chi\",\"edge-nyc\"]}\n")
        XCTAssertEqual(reply("GET", "/x", health: Array(repeating: EdgeHealth(up: false), count: 3)).status.code, 503)
        XCTAssertEqual(reply("DELETE", "/x").status.code, 405)
        XCTAssertEqual(reply("OPTIONS", "/steering").status.code, 204)
        XCTAssertTrue(reply("GET", "/healthz").body.contains("\"name\":\"edge-sfo\",\"up\":true"))
    }
}
