import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// `dashcdn cdn up` in a child process (origin, one edge, the redirector) on ports of the
/// test's choosing, serving a throwaway root: a manifest, an init segment, 1 MB and 9 MB
/// segments. Short header timeout and a small per-client connection cap, so the attacks that
/// exercise them take seconds; the access log goes to a file the tests read.
final class HostileCDN {
    let root: URL
    let cacheFolder: URL
    let accessLog: URL
    let originPort: Int, edgePort: Int, dnsPort: Int, httpPort: Int
    let server: ServerProcess

    static let headerTimeout = 2.0
    static let perClient = 20

    init(name: String, cacheFolder: URL? = nil) throws {
        root = try Paths.temporaryFolder("hostile-\(name)")
        self.cacheFolder = cacheFolder ?? root.appendingPathComponent("cache")
        accessLog = root.appendingPathComponent("access.log")
        let media = root.appendingPathComponent("Media/t/v")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Manifests"), withIntermediateDirectories: true)
        // A manifest of a real one's size (~2 KB), so queued answers add up as they would.
        let padding = String(repeating: "<!-- representation -->\n", count: 80)
        try Data("<?xml version=\"1.0\"?>\n<MPD>\n\(padding)</MPD>\n".utf8).write(to: root.appendingPathComponent("Manifests/t.mpd"))
        try Self.randomBytes(1000, seed: 1).write(to: media.appendingPathComponent("init.mp4"))
        try Self.randomBytes(1 << 20, seed: 2).write(to: media.appendingPathComponent("1.m4s"))
        try Self.randomBytes(9_000_000, seed: 3).write(to: media.appendingPathComponent("big.m4s"))
        (originPort, edgePort, dnsPort, httpPort) = (try unusedPort(), try unusedPort(), try unusedPort(), try unusedPort())
        let yaml = """
        domain: cdn.example.test
        routing_name: video
        ttl: 5
        origin: {listen: 127.0.0.1:\(originPort), root: \(root.path)}
        redirector:
          dns: 127.0.0.1:\(dnsPort)
          http: 127.0.0.1:\(httpPort)
          decision_log: off
          rate_limit: {responses_per_second: 0}
        edges:
          - {name: edge-a, listen: 127.0.0.1:\(edgePort), location: {lat: 40.7, lon: -74.0}, cache_dir: \(self.cacheFolder.path)}
        coverage:
          - {name: east, networks: [127.0.0.0/8], location: {lat: 42.3, lon: -71.0}}
        default_location: {lat: 39.1, lon: -94.6}
        limits: {access_log: \(accessLog.path), header_timeout_s: \(Self.headerTimeout), max_connections_per_client: \(Self.perClient)}
        """
        let config = root.appendingPathComponent("cdn.yaml")
        try yaml.write(to: config, atomically: true, encoding: .utf8)
        server = try ServerProcess(["cdn", "up", "--config", config.path], waitingFor: [originPort, edgePort, dnsPort, httpPort],
                                   log: root.appendingPathComponent("cdn.log"))
    }

    func stop() { server.stop() }

    func file(_ path: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(path)) }

    static func randomBytes(_ count: Int, seed: UInt64) -> Data {
        var generator = SeededGenerator(seed: seed)
        return Data((0..<(count + 7) / 8).map { _ in generator.next() }.withUnsafeBytes { Data($0) }.prefix(count))
    }
}
