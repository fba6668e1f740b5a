import ABR
import Addressing
import CDN
import ContentLayout
import Foundation
import Player
import Segmenter
import Topology

/// What `dashcdn demo` runs with.
public struct DemoSettings: Sendable {
    public var config = "CDNConfig/cdn.yaml"
    public var title = "sample"
    public var sampleSeconds = 60.0
    public var sampleWidth = 1920
    public var sampleHeight = 1080
    public var ladder = "default"
    public var segmentDuration = 4.0
    public var maxBuffer = 12.0
    /// A recursive resolver for the DNS client (`scripts/dns-lab up` starts one).
    public var resolver: ListenAddress?
    /// The content provider's name the lab's zone aliases to the CDN.
    public static let providerHost = "video.netcinema.test"

    public init() {}
}

/// The whole chain on one machine: the sample (reused when present), its ladder (reused when
/// its manifest is present), the origin, every edge and the redirector from the configuration,
/// then one player per coverage zone playing at once. Half-way through, the edge serving the
/// second client is stopped; its clients fail over. `say` gets results, `note` progress.
public final class DemoRunner: @unchecked Sendable {
    let settings: DemoSettings
    let say: @Sendable (String) -> Void
    let note: @Sendable (String) -> Void
    private var cdn: RunningCDN?
    private let lock = NSLock()

    public init(settings: DemoSettings, say: @escaping @Sendable (String) -> Void, note: @escaping @Sendable (String) -> Void) {
        self.settings = settings
        self.say = say
        self.note = note
    }

    public func run() async throws -> [DemoResult] {
        var config = try CDNConfig.load(path: settings.config)
        // The players' lines are the show: per-request logs would drown them.
        config.limits.accessLog = .off
        config.redirector.decisionLog = .off
        let root = URL(fileURLWithPath: config.origin.root)
        try prepareMedia(root: root)
        defer { stopAll() }
        let cdn = try RunningCDN(config: config)
        lock.withLock { self.cdn = cdn }
        let clients = DemoClient.clients(for: cdn.config, title: settings.title, dnsPort: cdn.redirector.dnsPort,
                                         resolver: settings.resolver)
        guard !clients.isEmpty else { throw PlayerError("\(settings.config): the demo needs coverage zones with IPv4 networks") }
        let plots = root.appendingPathComponent(ContentLayout.titleFolder("demo"))
        try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
        let firstEdges = FirstEdges()
        // A 302 names an edge by address; the table shows the configuration's names.
        let edgeNames = Dictionary(uniqueKeysWithValues: cdn.config.edges.map { ("\($0.listen)", $0.name) })
        let length = try presentationLength(root: root)
        note("demo: \(clients.count) clients start; half-way (\(Int(length / 2)) s) the edge serving \(clients[min(1, clients.count - 1)].zone) is stopped")
        return try await withThrowingTaskGroup(of: DemoResult?.self) { group in
            for client in clients {
                group.addTask { try await self.play(client, plots: plots, firstEdges: firstEdges, edgeNames: edgeNames) }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(length / 2))
                let victim = firstEdges.edge(of: clients[min(1, clients.count - 1)].zone)
                if let victim, let name = edgeNames[victim] ?? cdn.config.edge(named: victim)?.name {
                    self.note("demo: stopping \(name) (Ctrl-C of an operator, a crash, a lost rack)")
                    cdn.stopEdge(named: name)
                }
                return nil
            }
            var results: [DemoResult] = []
            for try await result in group { if let result { results.append(result) } }
            return clients.compactMap { client in results.first { $0.client.zone == client.zone } }
        }
    }

    private func play(_ client: DemoClient, plots: URL, firstEdges: FirstEdges, edgeNames: [String: String]) async throws -> DemoResult {
        let prefix = "[\(client.zone)]"
        var settings = PlaySettings(mode: client.mode, sourceAddress: client.sourceAddress, maxBuffer: self.settings.maxBuffer)
        settings.rule = .default
        let session = LiveSession(url: client.url, settings: settings,
                                  onRecord: { record in
                                      firstEdges.note(record.edge, for: client.zone)
                                      self.say("\(prefix) \(record.humanLine)")
                                  },
                                  log: { self.note("\(prefix) \($0)") })
        let report: LiveReport
        do {
            report = try await session.run()
        } catch let error as PlayerError {
            throw PlayerError("\(prefix) \(error.description)")
        }
        let plot = plots.appendingPathComponent("\(client.zone).svg").path
        try SessionLogFiles(plot: plot).write(records: report.records, summary: report.summary,
                                              title: "\(client.zone) (\(client.sourceAddress), \(client.modeName))",
                                              maxBuffer: settings.maxBuffer)
        return DemoResult(client: client, report: report, plot: plot, edgeNames: edgeNames)
    }

    /// The sample and its ladder, made only when missing.
    private func prepareMedia(root: URL) throws {
        let sample = root.appendingPathComponent("\(ContentLayout.mediaFolder)/\(settings.title).mp4")
        let manifest = root.appendingPathComponent(ContentLayout.manifest(settings.title))
        if FileManager.default.fileExists(atPath: manifest.path) {
            note("demo: reusing the ladder of \(manifest.path)")
            return
        }
        if FileManager.default.fileExists(atPath: sample.path) {
            note("demo: reusing \(sample.path)")
        } else {
            note("demo: making the sample movie (\(Int(settings.sampleSeconds)) s, \(settings.sampleWidth)x\(settings.sampleHeight))")
            try FileManager.default.createDirectory(at: sample.deletingLastPathComponent(), withIntermediateDirectories: true)
            try SampleMovie(output: sample.path, duration: settings.sampleSeconds, width: settings.sampleWidth,
                            height: settings.sampleHeight, fps: 30).make()
        }
        note("demo: encoding the ladder (\(settings.ladder))")
        let request = EncodeRequest(input: sample.path, title: settings.title, ladder: try Ladder.parse(settings.ladder),
                                    segmentDuration: settings.segmentDuration, root: root)
        let report = try LadderEncoder.run(request, log: note) { frames, fps in ProgressReporter(totalFrames: frames, frameRate: fps) }
        note(String(format: "demo: encoded %.0f s of media in %.0f s", report.durationSeconds, report.wallSeconds))
    }

    private func presentationLength(root: URL) throws -> Double {
        let table = try VideoTable.load(path: root.appendingPathComponent(ContentLayout.manifest(settings.title)).path)
        return table.segmentDuration * Double(table.segmentCount)
    }

    /// Stops the CDN if it is running (also from a signal handler).
    public func stopAll() {
        lock.withLock { () -> RunningCDN? in defer { cdn = nil }; return cdn }?.stop()
    }
}

/// The edge each client was first served from, so the demo knows whose edge to stop.
private final class FirstEdges: @unchecked Sendable {
    private let lock = NSLock()
    private var edges: [String: String] = [:]

    func note(_ edge: String, for zone: String) { lock.withLock { if edges[zone] == nil { edges[zone] = edge } } }
    func edge(of zone: String) -> String? { lock.withLock { edges[zone] } }
}
