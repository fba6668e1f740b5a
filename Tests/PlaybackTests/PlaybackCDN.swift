import ABR
import Addressing
import CDN
import ContentLayout
import Edge
import Foundation
import MPD
import Player
import Redirector
import Segmenter
import TestSupport
import Topology

/// A short ladder encoded once for every playback test: 16 s of 320x180 with stereo audio,
/// 2-second segments, three rungs far enough apart that a rate cap can fall between two.
enum EncodedLadder {
    static let title = "clip"
    static let segments = 8

    private static let shared: Result<URL, Error> = Result {
        let root = try Paths.temporaryFolder("playback-ladder")
        let source = root.appendingPathComponent("source.mp4")
        try SampleMovie(output: source.path, duration: 16, width: 320, height: 180, fps: 25).make()
        let request = EncodeRequest(input: source.path, title: title, ladder: try Ladder.parse("160x90@120k,320x180@350k,320x180@1000k"),
                                    segmentDuration: 2, root: root)
        _ = try LadderEncoder.run(request, log: { _ in })
        return root
    }

    static func root() throws -> URL { try shared.get() }

    /// The video bandwidths the MPD announces, in bit/s, lowest first.
    static func bandwidths() throws -> [Int] {
        let url = try root().appendingPathComponent(ContentLayout.manifest(title))
        let presentation = try MPDParser.parse(try Data(contentsOf: url), url: url)
        return presentation.periods[0].track(.video)!.representations.map(\.bandwidth)
    }
}

/// The whole CDN on loopback, in this process, as `cdn up` runs it: an origin over the encoded
/// ladder (also serving the content steering MPD), the three edges of the test topology pulling
/// from it (each with `edgeFields` added to its entry, on an address of its own), the redirector.
final class PlaybackCDN: Sendable {
    let cdn: RunningCDN

    /// `limits`: the configuration's limits mapping (access logs off unless given); `redirector`:
    /// the redirector's DNS address and TTL, and where its decision log goes.
    init(name: String, limits: String = "{access_log: off}", redirector: (dns: String, ttl: Int, decisionLog: String) = ("127.0.0.1:0", 20, "off"),
         dnssecKeys: String? = nil, cookies: String? = nil, edgeFields: @escaping (String) -> String = { _ in "" }) throws {
        let root = try EncodedLadder.root().path
        let work = try Paths.temporaryFolder(name)
        let fields: (String) -> String = { ", cache_dir: \(work.path)/cache-\($0)" + edgeFields($0) }
        let yaml = TestTopology.yaml(edgePorts: [0, 0, 0], root: root, decisionLog: redirector.decisionLog,
                                     edgeHosts: ["127.0.1.1", "127.0.1.2", "127.0.1.3"], edgeFields: fields, limits: limits,
                                     redirectorDNS: redirector.dns, ttl: redirector.ttl, dnssecKeys: dnssecKeys,
                                     cookies: cookies)
        cdn = try RunningCDN(config: try CDNConfig.parse(yaml: yaml, file: work.appendingPathComponent("cdn.yaml").path))
    }

    /// An origin over `root` on a port of its own, without access log.
    static func plainOrigin(root: URL) throws -> CDNNode {
        var limits = ServerLimits()
        limits.accessLog = .off
        return try CDNNode.origin(root: root.path, listen: ListenAddress(host: "127.0.0.1", port: 0), limits: limits)
    }

    var ports: [Int] { TestTopology.edgeNames.map { cdn.config.edge(named: $0)!.listen.port } }
    private var manifest: String { ContentLayout.manifest(EncodedLadder.title) }
    func edgeURL(_ index: Int) -> String { "http://127.0.1.\(index + 1):\(ports[index])/\(manifest)" }
    var cdnURL: String { "http://video.cdn.example.test/\(manifest)" }
    var redirectURL: String { "http://\(cdn.config.redirector.http)/\(manifest)" }
    var steeringURL: String { "http://\(cdn.config.origin.listen)/\(ContentLayout.steeringVariant(EncodedLadder.title))" }
    var dnsMode: RoutingMode { .dns(server: "127.0.0.1", port: cdn.redirector.dnsPort) }

    /// Stops one edge, as a crash would.
    func kill(_ index: Int) { cdn.stopEdge(named: TestTopology.edgeNames[index]) }

    func stop() { cdn.stop() }
}

/// Plays one session in this process and collects what it reports.
final class SessionProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [SegmentRecord] = []
    private var lines: [String] = []
    private var onRecord: ((SegmentRecord) -> Void)?

    var records: [SegmentRecord] { lock.withLock { collected } }
    var log: [String] { lock.withLock { lines } }

    /// `onRecord` runs after each video segment arrives (to break something mid-stream).
    func play(_ url: String, _ settings: PlaySettings, onRecord: ((SegmentRecord) -> Void)? = nil) async throws -> LiveReport {
        self.onRecord = onRecord
        let session = LiveSession(url: URL(string: url)!, settings: settings,
                                  onRecord: { record in
                                      let hook = self.lock.withLock { self.collected.append(record); return self.onRecord }
                                      hook?(record)
                                  },
                                  log: { line in self.lock.withLock { self.lines.append(line) } })
        return try await session.run()
    }
}
