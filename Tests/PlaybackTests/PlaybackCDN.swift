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
        let url = try root().appendingPathComponent("Manifests/\(title).mpd")
        let presentation = try MPDParser.parse(try Data(contentsOf: url), url: url)
        return presentation.periods[0].track(.video)!.representations.map(\.bandwidth)
    }
}

/// The whole CDN on loopback, in this process: an origin over the encoded ladder, the three
/// edges of the test topology pulling from it (each with `edgeFields` added to its entry), the
/// redirector, and a second origin that serves the content steering MPD.
final class PlaybackCDN: @unchecked Sendable {
    let origin: CDNNode
    private(set) var edges: [CDNNode?]
    let ports: [Int]
    let redirector: Redirector
    let steeringOrigin: CDNNode

    init(name: String, edgeFields: @escaping (String) -> String = { _ in "" }) throws {
        let root = try EncodedLadder.root().path
        let work = try Paths.temporaryFolder(name)
        origin = try Self.plainOrigin(root: URL(fileURLWithPath: root))
        let fields: (String) -> String = { ", cache_dir: \(work.path)/cache-\($0)" + edgeFields($0) }
        let file = work.appendingPathComponent("cdn.yaml").path
        // Edges first on ports of their own choosing (one address each, so that the configuration
        // does not see three edges on 127.0.0.1:0), then the redirector told where they are.
        let hosts = ["127.0.1.1", "127.0.1.2", "127.0.1.3"]
        let unbound = try CDNConfig.parse(yaml: TestTopology.yaml(edgePorts: [0, 0, 0], originPort: origin.port, root: root,
                                                                  edgeHosts: hosts, edgeFields: fields), file: file)
        let started = try TestTopology.edgeNames.map { try CDNNode.edge(named: $0, config: unbound) }
        edges = started
        ports = started.map(\.port)
        let bound = try CDNConfig.parse(yaml: TestTopology.yaml(edgePorts: ports, originPort: origin.port, root: root,
                                                                edgeHosts: hosts, edgeFields: fields), file: file)
        redirector = try Redirector(config: bound)
        let steered = try CDNConfig.parse(yaml: TestTopology.yaml(edgePorts: ports, originPort: 0, root: root,
                                                                  redirectorHTTPPort: redirector.httpPort, edgeHosts: hosts,
                                                                  edgeFields: fields), file: file)
        steeringOrigin = try CDNNode.origin(config: steered)
    }

    /// An origin over `root` on a port of its own, without access log.
    static func plainOrigin(root: URL) throws -> CDNNode {
        var limits = ServerLimits()
        limits.accessLog = "off"
        return try CDNNode.origin(root: root.path, listen: ListenAddress(host: "127.0.0.1", port: 0), limits: limits)
    }

    func edgeURL(_ index: Int) -> String { "http://127.0.1.\(index + 1):\(ports[index])/manifests/\(EncodedLadder.title).mpd" }
    var cdnURL: String { "http://video.cdn.example.test/manifests/\(EncodedLadder.title).mpd" }
    var redirectURL: String { "http://127.0.0.1:\(redirector.httpPort)/manifests/\(EncodedLadder.title).mpd" }
    var steeringURL: String { "http://127.0.0.1:\(steeringOrigin.port)/manifests/\(EncodedLadder.title).steering.mpd" }
    var dnsMode: RoutingMode { .dns(server: "127.0.0.1", port: redirector.dnsPort) }


    func kill(_ index: Int) {
        edges[index]?.stop()
        edges[index] = nil
    }

    func stop() {
        redirector.stop()
        edges.forEach { $0?.stop() }
        origin.stop()
        steeringOrigin.stop()
    }
}

/// Plays one session in this process and collects what it reports.
final class SessionProbe: @unchecked Sendable {
    private let lock = NSLock()
    private var collected: [Player.SegmentRecord] = []
    private var lines: [String] = []
    private var onRecord: ((Player.SegmentRecord) -> Void)?

    var records: [Player.SegmentRecord] { lock.withLock { collected } }
    var log: [String] { lock.withLock { lines } }

    /// `onRecord` runs after each video segment arrives (to break something mid-stream).
    func play(_ url: String, _ settings: PlaySettings, onRecord: ((Player.SegmentRecord) -> Void)? = nil) async throws -> LiveReport {
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
