import Foundation
import NIOConcurrencyHelpers

/// Log lines written by a background thread, so that event loops never block on a terminal or
/// a disk. The destination is `stdout`, `off`, or a file path (appended to).
public final class LineLog: @unchecked Sendable {
    private let handle: FileHandle?
    private let pending = NIOLockedValueBox(Pending())
    /// Lines waiting beyond this (a destination slower than the requests) are dropped and counted.
    static let maxPending = 100_000

    private struct Pending {
        var lines: [String] = []
        var dropped = 0
    }
    private let condition = NSCondition()

    /// `purpose` names the log in the error when the file cannot be opened ("access log").
    public init(destination: String, purpose: String) throws {
        switch destination {
        case "off":
            handle = nil
        case "stdout":
            handle = FileHandle.standardOutput
        default:
            // O_APPEND: the servers of one process (`cdn up`) may share a log file, and each
            // line must land at the end, not over another server's.
            let fd = open(destination, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw EdgeError("\(destination): cannot open the \(purpose) for writing") }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        if handle != nil {
            // The thread holds the log only while draining, so it ends soon after the log goes.
            let thread = Thread { [weak self] in
                while let log = self { log.drainOnce() }
            }
            thread.name = purpose
            thread.start()
        }
    }

    public var isEnabled: Bool { handle != nil }

    /// Queues one line (a newline is added).
    public func write(_ line: String) {
        guard handle != nil else { return }
        pending.withLockedValue { pending in
            if pending.lines.count < Self.maxPending { pending.lines.append(line + "\n") } else { pending.dropped += 1 }
        }
        condition.signal()
    }

    private func drainOnce() {
        condition.lock()
        condition.wait(until: Date().addingTimeInterval(0.2))
        condition.unlock()
        flush()
    }

    /// Writes what is pending now.
    public func flush() {
        var (lines, dropped) = pending.withLockedValue { pending in
            defer { pending = Pending() }
            return (pending.lines, pending.dropped)
        }
        if dropped > 0 { lines.append("(\(dropped) lines dropped: the log could not keep up)\n") }
        if !lines.isEmpty { handle?.write(Data(lines.joined().utf8)) }
    }
}
