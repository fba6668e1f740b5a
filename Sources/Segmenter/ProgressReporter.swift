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
    private let start = Date()
    private var lastPrint = Date.distantPast
    private var linesDrawn = 0
    private let write: @Sendable (String) -> Void

    public init(totalFrames: Int, frameRate: Double, interactive: Bool = isatty(2) != 0,
                write: @escaping @Sendable (String) -> Void = { FileHandle.standardError.write(Data($0.utf8)) }) {
        self.total = max(1, totalFrames)
        self.fps = frameRate
        self.interactive = interactive
        self.interval = interactive ? 0.25 : 5
        self.write = write
    }

    /// Called often; prints only when the interval has passed (or `force`).
    public func update(_ lines: [Line], force: Bool = false) {
        let now = Date()
        guard force || now.timeIntervalSince(lastPrint) >= interval else { return }
        lastPrint = now
        let elapsed = max(now.timeIntervalSince(start), 0.001)
        var text = ""
        if interactive, linesDrawn > 0 { text += "\u{1B}[\(linesDrawn)A" }
        for line in lines {
            let rate = Double(line.done) / elapsed
            let speed = rate / max(fps, 1)
            let remaining = Double(total - min(line.done, total)) / max(rate, 0.001)
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
