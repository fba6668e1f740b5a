import Addressing
import Foundation
import TestSupport
import Topology
import XCTest

final class CDNConfigTests: XCTestCase {
    func testCommittedConfigLoadsWithEveryDocumentedKey() throws {
        let config = try CDNConfig.load(path: Paths.repository.appendingPathComponent("CDNConfig/cdn.yaml").path)
        XCTAssertEqual(config.domain, "cdn.example.test")
        XCTAssertEqual(config.routingHost, "video.cdn.example.test")
        XCTAssertEqual(config.ttl, 20)
        XCTAssertEqual(config.origin.listen, ListenAddress(host: "127.0.0.1", port: 8080))
        XCTAssertEqual(config.edges.map(\.listen.port), [8081, 8082, 8083])
        XCTAssertEqual(config.coverage.count, 3)
        XCTAssertEqual(config.redirector.dns.port, 5353)
        XCTAssertEqual(config.origin.root, Paths.repository.standardized.path)
        XCTAssertEqual(config.aliases["www.netcinema.test"], "video.cdn.example.test")
        XCTAssertEqual(config.redirector.healthInterval, 0.5)
        XCTAssertEqual(config.redirector.rateLimitPerSecond, 200)
    }

    /// `dashcdn cdn up --config CDNConfig/cdn.yaml` from the repository: the relative file name
    /// must still put the origin's root at the repository, not at `/`.
    func testRelativeConfigPathResolvesAgainstTheWorkingFolder() throws {
        let text = try String(contentsOf: Paths.repository.appendingPathComponent("CDNConfig/cdn.yaml"), encoding: .utf8)
        let config = try CDNConfig.parse(yaml: text, file: "CDNConfig/cdn.yaml")
        let expected = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardized.path
        XCTAssertEqual(config.origin.root, expected)
        XCTAssertEqual(config.edges[0].cacheFolder, expected + "/.cache/edge-nyc")
    }

    func testErrorsNameTheFileAndTheField() {
        let base = """
        domain: cdn.example.test
        origin: {listen: 127.0.0.1:8080}
        edges:
          - {name: a, listen: 127.0.0.1:8081, location: {lat: 1, lon: 2}}
        """
        let cases: [(String, String)] = [
            (base.replacingOccurrences(of: "127.0.0.1:8081", with: "nowhere"), "edges[0].listen"),
            (base + "\nbogus: 1", "bogus (line 5): unknown key"),
            (base.replacingOccurrences(of: "lat: 1", with: "lat: 100"), "edges[0].location.lat"),
            (base + "\ncoverage:\n  - {name: z, networks: [10.0.0.0/33], location: {lat: 0, lon: 0}}", "coverage[0].networks[0]"),
            (base.replacingOccurrences(of: "name: a,", with: "name: a, parent: b,"), "edges[0].parent: no edge named 'b'"),
            (base.replacingOccurrences(of: "127.0.0.1:8081", with: "127.0.0.1:8080"), "already taken by origin.listen"),
            (base.replacingOccurrences(of: "location: {lat: 1, lon: 2}", with: "location: {lat: 1, lon: 2}, cache_max_bytes: lots"),
             "edges[0].cache_max_bytes"),
            (base + "\nlimits: {memory_cache_bytes: -5MB}", "limits.memory_cache_bytes"),
            ("domain: x\n", "missing required key"),
            ("edges: [", "not valid YAML"),
        ]
        for (yaml, expected) in cases {
            XCTAssertThrowsError(try CDNConfig.parse(yaml: yaml, file: "cdn.yaml"), expected) { error in
                let text = "\(error)"
                XCTAssertTrue(text.hasPrefix("cdn.yaml: "), text)
                XCTAssertTrue(text.contains(expected), "\(text) should mention \(expected)")
            }
        }
    }

    func testSizesParseWithUnitsAndZeroTurnsTheMemoryCacheOff() throws {
        XCTAssertEqual(ByteSize.parse("512MB"), 512_000_000)
        XCTAssertEqual(ByteSize.parse("2 GiB"), 2 << 30)
        XCTAssertEqual(ByteSize.parse("65536"), 65536)
        XCTAssertNil(ByteSize.parse("lots"))
        XCTAssertNil(ByteSize.parse("-1"))
        let yaml = """
        domain: d.test
        origin: {listen: 127.0.0.1:8080}
        edges:
          - {name: a, listen: 127.0.0.1:8081, location: {lat: 1, lon: 2}}
        limits: {memory_cache_bytes: 0}
        """
        XCTAssertEqual(try CDNConfig.parse(yaml: yaml, file: "c.yaml").limits.memoryCacheBytes, 0)
        XCTAssertEqual(try CDNConfig.parse(yaml: yaml.replacingOccurrences(of: ": 0}", with: ": 64MiB}"), file: "c.yaml")
            .limits.memoryCacheBytes, 64 << 20)
    }

    func testParentLoopIsRefused() {
        let yaml = """
        domain: d.test
        origin: {listen: 127.0.0.1:8080}
        edges:
          - {name: a, listen: 127.0.0.1:8081, location: {lat: 1, lon: 2}, parent: b}
          - {name: b, listen: 127.0.0.1:8082, location: {lat: 1, lon: 2}, parent: a}
        """
        XCTAssertThrowsError(try CDNConfig.parse(yaml: yaml, file: "c.yaml")) { XCTAssertTrue("\($0)".contains("loop"), "\($0)") }
    }

    func testLongestPrefixZoneWinsAndMappedIPv6Matches() throws {
        let here = GeoPoint(latitude: 0, longitude: 0)
        let zones = CoverageZones([
            CoverageZone(name: "wide", networks: [IPNetwork("127.0.0.0/8")!], location: here, link: LinkSpec()),
            CoverageZone(name: "narrow", networks: [IPNetwork("127.0.20.0/24")!, IPNetwork("fd00:20::/32")!], location: here, link: LinkSpec()),
        ])
        XCTAssertEqual(zones.zone(for: IPAddress("127.0.20.5")!)?.name, "narrow")
        XCTAssertEqual(zones.zone(for: IPAddress("::ffff:127.0.20.5")!)?.name, "narrow")
        XCTAssertEqual(zones.zone(for: IPAddress("fd00:20::1")!)?.name, "narrow")
        XCTAssertEqual(zones.zone(for: IPAddress("127.0.30.5")!)?.name, "wide")
        XCTAssertNil(zones.zone(for: IPAddress("10.1.2.3")!))
    }

    func testTrafficControlCoverageZoneFileImports() throws {
        let folder = try Paths.temporaryFolder("czf")
        let czf = """
        {"revision": "1", "customerName": "test", "coverageZones": {
          "denver": {"network": ["127.0.40.0/24"], "network6": ["fd00:40::/48"],
                     "coordinates": {"latitude": 39.74, "longitude": -104.99}}}}
        """
        try czf.write(to: folder.appendingPathComponent("czf.json"), atomically: true, encoding: .utf8)
        let yaml = """
        domain: d.test
        origin: {listen: 127.0.0.1:8080}
        edges: [{name: a, listen: 127.0.0.1:8081, location: {lat: 1, lon: 2}}]
        coverage_zone_file: czf.json
        """
        let path = folder.appendingPathComponent("cdn.yaml").path
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let config = try CDNConfig.load(path: path)
        XCTAssertEqual(config.coverage.map(\.name), ["denver"])
        XCTAssertEqual(CoverageZones(config.coverage).zone(for: IPAddress("fd00:40::9")!)?.name, "denver")
    }

    func testGreatCircleDistance() {
        let nyc = GeoPoint(latitude: 40.71, longitude: -74.01), sfo = GeoPoint(latitude: 37.77, longitude: -122.42)
        XCTAssertEqual(nyc.distance(to: sfo), 4130, accuracy: 25)
        XCTAssertEqual(nyc.distance(to: nyc), 0, accuracy: 1e-9)
    }
}
