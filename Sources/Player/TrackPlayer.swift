import CMCD
import ABR
import Foundation
import MPD

/// The two download loops of a session, video and audio, each walking the periods in order
/// against the shared playout clock.
final class TrackPlayer: @unchecked Sendable {
    private let session: LiveSession
    private let route: LiveSession.Route
    private let clock: PlaybackClock
    private let presentation: MediaPresentation
    private let lock = NSLock()
    /// Video downloads; audio reads the estimate to pick its own level.
    private var history = ThroughputHistory()

    init(session: LiveSession, route: LiveSession.Route, clock: PlaybackClock, presentation: MediaPresentation) {
        self.session = session
        self.route = route
        self.clock = clock
        self.presentation = presentation
    }

    private var settings: PlaySettings { session.settings }

    func playVideo() async throws {
        var number = 0
        var level: Int?
        var lastStall = 0.0
        for period in presentation.periods {
            guard let track = period.track(.video) else {
                clock.add(.video, upTo: period.start + period.duration)
                continue
            }
            let ladder = try await TrackLadder.resolve(track, route: route)
            let table = try ladder.table()
            let rule = settings.rule.makeRule()
            var initialized: Set<Int> = []
            for index in 0..<ladder.count {
                number += 1
                let previous = level.map { min($0, table.topLevel) }
                try await waitForRoom(.video, adding: ladder.segments[0][index].duration)
                var chosen = table.highestLevel(atMostKbps: SessionSettings().startBitrateKbps)
                if let previous {
                    let buffer = clock.level(.video)
                    let decision = rule.decide(ABRContext(video: table, segment: index, buffer: buffer, maxBuffer: settings.maxBuffer,
                                                          lastLevel: previous, history: lock.withLock { history }))
                    if decision.wait > 0 { try await sleep(min(decision.wait, buffer)) }
                    chosen = min(max(decision.level, 0), table.topLevel)
                }
                guard let download = try await downloadVideo(ladder, table: table, index: index, level: chosen,
                                                            number: number, initialized: &initialized) else {
                    clock.add(.video, upTo: period.start + ladder.segments[0][index].start + ladder.segments[0][index].duration)
                    continue
                }
                let segment = ladder.segments[download.level][index]
                clock.add(.video, upTo: period.start + segment.start + segment.duration)
                let stallNow = clock.stalledTime()
                let representation = ladder.representations[download.level]
                session.record(SegmentRecord(
                    time: clock.now, segment: number, representation: representation.label, level: download.level,
                    bitrateKbps: Double(representation.bandwidth) / 1000, bytes: download.result.bytes,
                    download: download.result.seconds, throughputKbps: Double(download.result.bytes) * 8 / max(download.result.seconds, 1e-6) / 1000,
                    buffer: clock.level(.video), stall: number == 1 ? clock.now : stallNow - lastStall, edge: download.edge,
                    serverThroughputKbps: download.result.serverData?.estimatedThroughputKbps,
                    serverRoundTripMs: download.result.serverData?.roundTripMs))
                lastStall = stallNow
                level = download.level
            }
        }
        clock.finish(.video)
    }

    /// One video segment, abandoned and re-requested lower when it would run the buffer dry;
    /// nil when it is missing on every edge (skipped, as players jump such gaps).
    private func downloadVideo(_ ladder: TrackLadder, table: VideoTable, index: Int, level start: Int, number: Int,
                               initialized: inout Set<Int>) async throws -> (result: FetchResult, edge: String, level: Int)? {
        var level = start
        while true {
            let representation = ladder.representations[level]
            do {
                try await initialize(ladder, level: level, done: &initialized)
                let verdict = LockedBox<Int?>(nil)
                let watch = abandonmentWatch(table: table, index: index, level: level, verdict: verdict)
                do {
                    let cmcd = segmentCMCD(.video, ladder: ladder, level: level, index: index)
                    let (result, edge) = try await route.fetch(ladder.segments[level][index].reference, of: representation,
                                                               cmcd: cmcd, progress: watch)
                    session.noteEdge(edge)
                    lock.withLock {
                        history.append(DownloadSample(bytes: Double(result.bytes), seconds: result.seconds,
                                                      firstByte: result.firstByte, level: level))
                        if let sample = serverSample(result, level: level) { history.append(sample) }
                    }
                    return (result, edge, level)
                } catch let error as FetchError where error.abandoned {
                    let lower = verdict.value ?? 0
                    session.log("segment \(number): abandoned \(representation.label) (\(error.description)), buffer \(String(format: "%.1f", clock.level(.video))) s would run dry; re-requesting \(ladder.representations[lower].label)")
                    level = lower
                }
            } catch let error as FetchError where error.status == 404 {
                session.log("segment \(number): \(error.description); skipped")
                session.noteSkipped()
                return nil
            } catch let error as FetchError {
                throw PlayerError("segment \(number) (\(representation.label)): \(error.description)")
            }
        }
    }

    /// The edge's CMSD estimate, when asked for, as a sample weighted like the download it came
    /// with: a second view of the path, from the bodies the edge saw leave on this connection.
    private func serverSample(_ result: FetchResult, level: Int) -> DownloadSample? {
        guard settings.serverThroughput, let kbps = result.serverData?.estimatedThroughputKbps, kbps > 0 else { return nil }
        return DownloadSample(bytes: Double(kbps) * 1000 / 8 * result.seconds, seconds: result.seconds,
                              firstByte: result.firstByte, level: level)
    }

    /// The progress callback that applies `AbandonmentRule` while playback runs.
    private func abandonmentWatch(table: VideoTable, index: Int, level: Int, verdict: LockedBox<Int?>) -> HTTPFetcher.Progress? {
        guard level > 0 else { return nil }
        let clock = self.clock
        return { bytes, total, elapsed in
            guard let total, clock.isPlaying,
                  let lower = AbandonmentRule.lowerLevel(bytes: bytes, total: total, elapsed: elapsed, buffer: clock.level(.video),
                                                         level: level, segment: index, video: table) else { return false }
            verdict.value = lower
            return true
        }
    }

    func playAudio() async throws {
        for period in presentation.periods {
            guard let track = period.track(.audio) else {
                clock.add(.audio, upTo: period.start + period.duration)
                continue
            }
            let ladder = try await TrackLadder.resolve(track, route: route)
            var initialized: Set<Int> = []
            for index in 0..<ladder.count {
                try await waitForRoom(.audio, adding: ladder.segments[0][index].duration)
                let level = audioLevel(ladder)
                let representation = ladder.representations[level]
                let segment = ladder.segments[level][index]
                do {
                    try await initialize(ladder, level: level, done: &initialized)
                    let (_, edge) = try await route.fetch(segment.reference, of: representation,
                                                          cmcd: segmentCMCD(.audio, ladder: ladder, level: level, index: index))
                    session.noteEdge(edge)
                    session.noteAudio(kbps: Double(representation.bandwidth) / 1000)
                } catch let error as FetchError where error.status == 404 {
                    session.log("audio segment \(index + 1): \(error.description); skipped")
                } catch let error as FetchError {
                    throw PlayerError("audio segment \(index + 1) (\(representation.id)): \(error.description)")
                }
                clock.add(.audio, upTo: period.start + segment.start + segment.duration)
            }
        }
        clock.finish(.audio)
    }

    /// Fetches a level's init segment the first time the level is used (a switch needs it).
    private func initialize(_ ladder: TrackLadder, level: Int, done: inout Set<Int>) async throws {
        guard !done.contains(level), let initSegment = ladder.initialization[level] else { return }
        var cmcd = session.cmcd.base(.initSegment)
        cmcd?.encodedBitrateKbps = ladder.representations[level].bandwidth / 1000
        _ = try await route.fetch(initSegment, of: ladder.representations[level], cmcd: cmcd)
        done.insert(level)
    }

    /// What CMCD says with a media segment request: its bitrate, duration and the ladder's top,
    /// the buffer and its deadline, the throughput estimate, whether the buffer ran dry or
    /// playback has not started, and the next segment of the same representation.
    private func segmentCMCD(_ type: CMCDData.ObjectType, ladder: TrackLadder, level: Int, index: Int) -> CMCDData? {
        guard var data = session.cmcd.base(type) else { return nil }
        let segments = ladder.segments[level]
        let buffer = clock.level(type == .audio ? .audio : .video)
        data.encodedBitrateKbps = ladder.representations[level].bandwidth / 1000
        data.topBitrateKbps = (ladder.representations.map(\.bandwidth).max() ?? 0) / 1000
        data.objectDurationMs = Int((segments[index].duration * 1000).rounded())
        data.bufferLengthMs = Int((buffer * 1000).rounded())
        data.deadlineMs = data.bufferLengthMs
        data.playbackRate = 1
        data.measuredThroughputKbps = lock.withLock { history.safeAverage }.map { Int(($0 * 8 / 1000).rounded()) }
        data.bufferStarvation = clock.isStalled
        data.startup = clock.isStartingUp
        data.nextObjectRequest = CMCDReporter.nextObject(index + 1 < segments.count ? segments[index + 1].reference : nil,
                                                         after: segments[index].reference)
        return data
    }

    /// The highest audio level within a tenth of the video throughput estimate, else the lowest.
    private func audioLevel(_ ladder: TrackLadder) -> Int {
        guard let estimate = lock.withLock({ history.safeAverage }) else { return 0 }
        let budget = estimate * 8 * 0.1
        return ladder.representations.lastIndex { Double($0.bandwidth) <= budget } ?? 0
    }

    /// Waits while adding a segment would take the buffer past the maximum (playback drains it).
    private func waitForRoom(_ track: TrackKind, adding duration: Double) async throws {
        while true {
            let excess = clock.level(track) + duration - settings.maxBuffer
            guard excess > 0, !clock.hasEnded else { return }
            try await sleep(min(max(excess, 0.05), 1))
        }
    }

    private func sleep(_ seconds: Double) async throws {
        try await Task.sleep(for: .seconds(max(seconds, 0)))
    }
}

/// A value shared between a download's progress callback and the task awaiting it.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value

    init(_ value: Value) { stored = value }

    var value: Value {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
