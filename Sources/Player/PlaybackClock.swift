import Foundation
import MPD

/// The live playout buffer, in wall-clock time. Each track (video, audio) has media buffered up
/// to some presentation time; the playhead advances in real time while every unfinished track
/// has media ahead of it, and stands still (a stall) when one runs dry. Playback starts, and
/// resumes after a stall, once every track holds `startThreshold` seconds or is complete.
/// State only changes in `update`, which works out exactly when the buffer ran dry between two
/// calls, so no timer is needed.
final class PlaybackClock: @unchecked Sendable {
    enum State: Equatable { case startingUp, playing, stalled, ended }

    private let lock = NSLock()
    private let stopwatch = Stopwatch()
    private let startThreshold: Double
    private let end: Double
    private var state = State.startingUp
    private var playhead = 0.0
    private var lastUpdate = 0.0
    private var bufferedUntil: [TrackKind: Double] = [:]
    private var complete: Set<TrackKind> = []
    private(set) var startupDelay: Double?
    private var stallStarted: Double?
    private var stallTotal = 0.0
    private(set) var stallCount = 0

    init(tracks: Set<TrackKind>, presentationEnd: Double, startThreshold: Double) {
        end = presentationEnd
        self.startThreshold = startThreshold
        for track in tracks { bufferedUntil[track] = 0 }
    }

    /// Seconds since the session started.
    var now: Double { stopwatch.elapsed }

    /// Seconds of `track` buffered ahead of the playhead.
    func level(_ track: TrackKind) -> Double {
        lock.withLock {
            advance(to: now)
            return max(0, (bufferedUntil[track] ?? end) - playhead)
        }
    }

    /// Stall time so far (start-up excluded), the one under way included.
    func stalledTime() -> Double {
        lock.withLock {
            let time = now
            advance(to: time)
            return stallTotal + (stallStarted.map { time - $0 } ?? 0)
        }
    }

    var isPlaying: Bool { lock.withLock { advance(to: now); return state == .playing } }
    var isStartingUp: Bool { lock.withLock { advance(to: now); return state == .startingUp } }
    var isStalled: Bool { lock.withLock { advance(to: now); return state == .stalled } }
    var hasEnded: Bool { lock.withLock { advance(to: now); return state == .ended } }

    /// A segment of `track` covering media up to `mediaEnd` has arrived.
    func add(_ track: TrackKind, upTo mediaEnd: Double) {
        lock.withLock {
            let time = now
            advance(to: time)
            bufferedUntil[track] = max(bufferedUntil[track] ?? 0, mediaEnd)
            startIfReady(at: time)
        }
    }

    /// `track` has nothing more to download; it no longer gates playback.
    func finish(_ track: TrackKind) {
        lock.withLock {
            let time = now
            advance(to: time)
            complete.insert(track)
            startIfReady(at: time)
        }
    }

    /// How long until the playhead reaches the end of what is buffered, or `end` (for waiting).
    func secondsUntilEnd() -> Double { lock.withLock { advance(to: now); return max(0, end - playhead) } }

    // MARK: Private, under the lock

    /// The presentation time playback can run to without a stall.
    private var playableUntil: Double {
        let gating = bufferedUntil.filter { !complete.contains($0.key) }.map(\.value)
        return min(gating.min() ?? end, end)
    }

    private func advance(to time: Double) {
        defer { lastUpdate = time }
        guard state == .playing else { return }
        let limit = playableUntil
        let reached = playhead + (time - lastUpdate)
        guard reached >= limit else { playhead = reached; return }
        let ranDryAt = lastUpdate + (limit - playhead)
        playhead = limit
        if limit >= end - 1e-6 {
            state = .ended
        } else {
            state = .stalled
            stallStarted = ranDryAt
            stallCount += 1
        }
    }

    private func startIfReady(at time: Double) {
        guard state == .startingUp || state == .stalled else { return }
        let ready = bufferedUntil.allSatisfy { track, until in
            complete.contains(track) || until - playhead >= min(startThreshold, end - playhead - 1e-6)
        }
        guard ready else { return }
        if state == .startingUp { startupDelay = time }
        if let stallStarted { stallTotal += time - stallStarted }
        stallStarted = nil
        state = .playing
    }
}
