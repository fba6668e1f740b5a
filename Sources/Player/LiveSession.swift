import CMCD
import ABR
import Addressing
import Foundation
import MPD

/// What `dashcdn play` asks for.
public struct PlaySettings: Sendable {
    public var rule: RuleName
    public var mode: RoutingMode
    public var sourceAddress: String?
    /// Fetching pauses while this much video is buffered.
    public var maxBuffer: Double
    /// Playback starts (and resumes after a stall) once every track holds this much.
    public var startThreshold = 1.0
    /// How CMCD goes with each request.
    public var cmcd = CMCDMode.query
    /// Whether the edge's CMSD `etp` counts as one more throughput sample.
    public var serverThroughput = false

    public init(rule: RuleName = .default, mode: RoutingMode = .direct, sourceAddress: String? = nil, maxBuffer: Double = 30) {
        self.rule = rule
        self.mode = mode
        self.sourceAddress = sourceAddress
        self.maxBuffer = maxBuffer
    }
}

/// A finished live session.
public struct LiveReport: Sendable {
    public var records: [SegmentRecord]
    public var summary: QoESummary
    public var audioSegments: Int
    public var audioKbps: Double?
    public var skippedSegments: Int
    /// Edges in the order they were first used.
    public var edges: [String]
}

/// Plays an MPD in real time through the CDN: fetches the manifest by the routing mode,
/// downloads video (chosen per segment by the ABR rule) and audio side by side over persistent
/// connections, keeps the playout buffer, abandons downloads that would stall, fails over
/// between edges, and reports every video segment as it arrives.
public final class LiveSession: Sendable {
    let url: URL
    let settings: PlaySettings
    let onRecord: @Sendable (SegmentRecord) -> Void
    let log: @Sendable (String) -> Void
    private let fetcher: HTTPFetcher
    let cmcd: CMCDReporter
    private let state = SessionState()

    public init(url: URL, settings: PlaySettings, onRecord: @escaping @Sendable (SegmentRecord) -> Void,
                log: @escaping @Sendable (String) -> Void) {
        self.url = url
        self.settings = settings
        self.onRecord = onRecord
        self.log = log
        cmcd = CMCDReporter(mode: settings.cmcd, manifest: url)
        fetcher = HTTPFetcher(sourceAddress: settings.sourceAddress, cmcd: cmcd)
    }

    public func run() async throws -> LiveReport {
        do {
            let report = try await play()
            await fetcher.shutdown()
            return report
        } catch {
            await fetcher.shutdown()
            throw error
        }
    }

    private func play() async throws -> LiveReport {
        let (presentation, route) = try await loadManifest()
        guard presentation.periods.contains(where: { $0.track(.video) != nil }) else {
            throw PlayerError("\(url.absoluteString): the MPD has no video AdaptationSet")
        }
        let hasAudio = presentation.periods.contains { $0.track(.audio) != nil }
        let end = presentation.periods.last.map { $0.start + $0.duration } ?? 0
        let clock = PlaybackClock(tracks: hasAudio ? [.video, .audio] : [.video], presentationEnd: end,
                                  startThreshold: settings.startThreshold)
        let player = TrackPlayer(session: self, route: route, clock: clock, presentation: presentation)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await player.playVideo() }
            if hasAudio { group.addTask { try await player.playAudio() } }
            try await group.waitForAll()
        }
        // Everything is downloaded; let the buffer play out as a real player would.
        let deadline = clock.now + clock.secondsUntilEnd() + 5
        while !clock.hasEnded && clock.now < deadline { try await Task.sleep(nanoseconds: 50_000_000) }
        return state.report(clock: clock)
    }

    /// Fetches and parses the manifest (an MPD, or an HLS multivariant playlist and its media
    /// playlists) by the routing mode; returns it with the route segments take.
    private func loadManifest() async throws -> (MediaPresentation, Route) {
        do {
            switch settings.mode {
            case .direct, .steering:
                let result = try await fetcher.get(url, keepBody: true, cmcd: manifestCMCD)
                let presentation = try await parse(result.body, from: result.url) { [fetcher] playlist in
                    try await fetcher.get(playlist, keepBody: true).body
                }
                let directory = EdgeDirectory(router: try baseRouter(for: presentation), fetcher: fetcher, log: log)
                return (presentation, Route(directory: directory, logical: nil))
            case .dns(let server, let port):
                let router = DNSRouter(server: server, port: port, sourceAddress: settings.sourceAddress)
                return try await viaCDN(EdgeDirectory(router: router, fetcher: fetcher, log: log))
            case .resolver(let server, let port):
                let lookup = ResolverLookup(resolver: server, resolverPort: port, sourceAddress: settings.sourceAddress)
                return try await viaCDN(EdgeDirectory(router: ResolverRouter(lookup: lookup), fetcher: fetcher, log: log))
            case .redirect:
                return try await viaCDN(EdgeDirectory(router: RedirectRouter(fetcher: fetcher), fetcher: fetcher, log: log))
            }
        } catch let error as FetchError {
            throw PlayerError("cannot fetch the manifest \(url.absoluteString): \(error.description)")
        }
    }

    /// Direct and steering modes choose among the MPD's own BaseURLs (those of its first video
    /// representation name the alternatives).
    private func baseRouter(for presentation: MediaPresentation) throws -> EdgeRouter {
        let bases = presentation.periods.lazy.compactMap { $0.track(.video)?.representations.first?.bases }.first
            ?? [BaseLocation(url: url)]
        guard settings.mode == .steering else { return BaseURLRouter(bases: bases) }
        guard let steering = presentation.steering else {
            throw PlayerError("\(url.absoluteString): --steering, but the MPD has no ContentSteering element")
        }
        var pathways: [String] = []
        for base in bases { if let name = base.serviceLocation, !pathways.contains(name) { pathways.append(name) } }
        return SteeringRouter(steering: steering, pathways: pathways, fetcher: fetcher, log: log)
    }

    /// DNS and 302 modes: the manifest comes from an edge the CDN names, at the same path.
    private func viaCDN(_ directory: EdgeDirectory) async throws -> (MediaPresentation, Route) {
        let route = Route(directory: directory, logical: ListenAddress(url))
        let (result, _) = try await directory.fetch(ResourceReference(path: ""), bases: [BaseLocation(url: url)],
                                                    logical: route.logical, keepBody: true, cmcd: manifestCMCD)
        let presentation = try await parse(result.body, from: url) { playlist in
            try await directory.fetch(ResourceReference(path: ""), bases: [BaseLocation(url: playlist)], logical: route.logical,
                                      keepBody: true, cmcd: self.manifestCMCD).0.body
        }
        return (presentation, route)
    }

    private var manifestCMCD: CMCDData? {
        var data = cmcd.base(.manifest)
        data?.startup = true
        return data
    }

    /// An MPD, or an HLS multivariant playlist whose media playlists `fetch` brings.
    private func parse(_ body: Data?, from location: URL,
                       fetch: @Sendable (URL) async throws -> Data?) async throws -> MediaPresentation {
        let data = body ?? Data()
        guard HLSPlaylistReader.isPlaylist(data) else {
            do {
                return try MPDParser.parse(data, url: location)
            } catch let error as MPDError {
                throw PlayerError("\(url.absoluteString): malformed MPD: \(error.description)")
            }
        }
        do {
            let multivariant = try HLSPlaylistReader.multivariant(String(decoding: data, as: UTF8.self), url: location)
            var media: [URL: HLSPlaylistReader.Media] = [:]
            for playlist in multivariant.playlists {
                let text = String(decoding: try await fetch(playlist) ?? Data(), as: UTF8.self)
                media[playlist] = try HLSPlaylistReader.media(text, url: playlist)
            }
            return try HLSPlaylistReader.presentation(multivariant, media: media)
        } catch let error as MPDError {
            throw PlayerError("\(url.absoluteString): malformed HLS playlist: \(error.description)")
        }
    }

    /// Where requests go: the edge directory, and the CDN authority it rewrites (DNS and 302 modes).
    struct Route {
        let directory: EdgeDirectory
        let logical: ListenAddress?

        func fetch(_ reference: ResourceReference, of representation: TrackRepresentation, keepBody: Bool = false,
                   cmcd: CMCDData? = nil, progress: HTTPFetcher.Progress? = nil) async throws -> (FetchResult, String) {
            try await directory.fetch(reference, bases: representation.bases, logical: logical, keepBody: keepBody,
                                      cmcd: cmcd, progress: progress)
        }
    }

    func record(_ record: SegmentRecord) {
        state.append(record)
        onRecord(record)
    }

    func noteEdge(_ edge: String) { state.use(edge) }
    func noteAudio(kbps: Double) { state.audio(kbps: kbps) }
    func noteSkipped() { state.skip() }
}

/// The session's results as they accumulate, from two tasks.
private final class SessionState: @unchecked Sendable {
    private let lock = NSLock()
    private var records: [SegmentRecord] = []
    private var edges: [String] = []
    private var audioSegments = 0
    private var audioKbpsSum = 0.0
    private var skipped = 0

    func append(_ record: SegmentRecord) { lock.withLock { records.append(record) } }
    func use(_ edge: String) { lock.withLock { if !edges.contains(edge) { edges.append(edge) } } }
    func audio(kbps: Double) { lock.withLock { audioSegments += 1; audioKbpsSum += kbps } }
    func skip() { lock.withLock { skipped += 1 } }

    func report(clock: PlaybackClock) -> LiveReport {
        lock.withLock {
            // Stalls after the last video segment arrived (audio late) belong to the last segment.
            let recorded = records.dropFirst().reduce(0) { $0 + $1.stall }
            let missing = clock.stalledTime() - recorded
            if missing > 0.001, records.count > 1 { records[records.count - 1].stall += missing }
            var summary = QoESummary(records: records)
            summary.startup = clock.startupDelay ?? summary.startup
            summary.stalls = clock.stallCount
            return LiveReport(records: records, summary: summary, audioSegments: audioSegments,
                              audioKbps: audioSegments > 0 ? audioKbpsSum / Double(audioSegments) : nil,
                              skippedSegments: skipped, edges: edges)
        }
    }
}
