import Foundation

/// Shows encoding progress: on a terminal, one redrawn line per rung with frames, fps, speed and
/// ETA; otherwise a plain line every few seconds, for logs and CI.
public final class ProgressReporter: @unchecked Sendable {
    public struct Line: Sendable {
        public let name: String
        public let done: Int

        public init(name: String, done: Int) {
            self.name = name
            self.done = done
        }
    }

    private let total: Int
    private let fps: Double
    private let interactive: Bool
    private let interval: Double
    private let clock: () -> Double
    private let start: Double
    private var lastPrint = -Double.infinity
    private var linesDrawn = 0
    private var estimates: [String: ProgressEstimate] = [:]
    private let write: @Sendable (String) -> Void

    /// `clock`: seconds on any monotonic scale (tests pass their own).
    public init(totalFrames: Int, frameRate: Double, interactive: Bool = isatty(2) != 0,
                clock: @escaping () -> Double = { ProcessInfo.processInfo.systemUptime },
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.total = max(1, totalFrames)
        self.fps = frameRate
        self.interactive = interactive
        self.interval = interactive ? 0.25 : 5
        self.clock = clock
        self.start = clock()
        self.write = write
    }

    /// Called often; prints only when the interval has passed (or `force`).
    public func update(_ lines: [Line], force: Bool = false) {
        let now = clock()
        for line in lines { estimates[line.name, default: ProgressEstimate(start: start)].record(done: line.done, at: now) }
        guard force || now - lastPrint >= interval else { return }
        lastPrint = now
        let elapsed = max(now - start, 0.001)
        var text = ""
        if interactive, linesDrawn > 0 { text += "\u{1B}[\(linesDrawn)A" }
        for line in lines {
            let rate = Double(line.done) / elapsed
            let speed = rate / max(fps, 1)
            let remaining = estimates[line.name]?.secondsLeft(total: total) ?? .infinity
            let percent = 100 * Double(min(line.done, total)) / Double(total)
            let row = String(format: "%-8@ %5.1f%%  frame %6d/%d  %6.1f fps  %5.2fx  ETA %@",
                             line.name as NSString, percent, line.done, total, rate, speed,
                             Self.clock(line.done >= total ? 0 : remaining) as NSString)
            text += interactive ? "\u{1B}[2K" + row + "\n" : "encode: " + row + "\n"
        }
        if interactive { linesDrawn = lines.count }
        write(text)
    }

    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds < 360_000 else { return "--:--" }
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                         : String(format: "%02d:%02d", s / 60, s % 60)
    }
}

/// The time a rung has left, from the pace of its last `window` seconds: after a scene change
/// (a static shot giving way to grain, or the reverse) the ETA follows the pace of the picture
/// now being encoded within the window, where an average since the start would take as long as
/// the encode so far to notice. Before a window has passed it is the average since the start.
struct ProgressEstimate {
    static let window = 30.0
    private let start: Double
    private var samples: [(time: Double, done: Int)] = []

    init(start: Double) { self.start = start }

    mutating func record(done: Int, at time: Double) {
        // One sample a second is enough (update comes with every frame); the last is always now.
        if samples.count >= 2, time - samples[samples.count - 2].time < 1 {
            samples[samples.count - 1] = (time, done)
        } else {
            samples.append((time, done))
        }
        // Keep one sample older than the window, so the window is always spanned.
        while samples.count > 2, samples[1].time <= time - Self.window { samples.removeFirst() }
    }

    func secondsLeft(total: Int) -> Double {
        guard let last = samples.last else { return .infinity }
        let first = last.time - start < Self.window ? (time: start, done: 0) : samples[0]
        let rate = Double(last.done - first.done) / max(last.time - first.time, 0.001)
        return rate > 0 ? Double(max(total - last.done, 0)) / rate : .infinity
    }
}
