import Foundation
import NIOConcurrencyHelpers

/// Log lines written by a background thread, so that event loops never block on a terminal or
/// a disk. The destination is `stdout`, `off`, or a file path (appended to).
public final class LineLog: @unchecked Sendable {
    private let handle: FileHandle?
    private let pending = NIOLockedValueBox([String]())
    private let condition = NSCondition()

    /// `purpose` names the log in the error when the file cannot be opened ("access log").
    public init(destination: String, purpose: String) throws {
        switch destination {
        case "off":
            handle = nil
        case "stdout":
            handle = FileHandle.standardOutput
        default:
            if !FileManager.default.fileExists(atPath: destination) {
                FileManager.default.createFile(atPath: destination, contents: nil)
            }
            guard let file = FileHandle(forWritingAtPath: destination) else {
                throw EdgeError("\(destination): cannot open the \(purpose) for writing")
            }
            file.seekToEndOfFile()
            handle = file
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
        pending.withLockedValue { $0.append(line + "\n") }
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
        let lines = pending.withLockedValue { lines -> [String] in defer { lines = [] }; return lines }
        if !lines.isEmpty { handle?.write(Data(lines.joined().utf8)) }
    }
}
