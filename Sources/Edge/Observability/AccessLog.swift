import Foundation
import NIOConcurrencyHelpers

/// Access log lines in nginx's combined style plus duration and cache status, written by a
/// background thread so the event loops never block on the terminal or disk.
public final class AccessLog: @unchecked Sendable {
    private let handle: FileHandle?
    private let pending = NIOLockedValueBox([String]())
    private let condition = NSCondition()
    private var thread: Thread?
    private let prefix: String

    /// `destination` is `stdout`, `off`, or a file path (appended to).
    public init(destination: String, serverName: String) throws {
        prefix = serverName
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
                throw EdgeError("\(destination): cannot open the access log for writing")
            }
            file.seekToEndOfFile()
            handle = file
        }
        if handle != nil {
            // The thread holds the log only while draining, so it ends soon after the log goes.
            let thread = Thread { [weak self] in
                while let log = self { log.drainOnce() }
            }
            thread.name = "access-log"
            self.thread = thread
            thread.start()
        }
    }

    public var isEnabled: Bool { handle != nil }

    public func record(client: String, method: String, target: String, minorVersion: Int, status: Int,
                       bytes: Int64, seconds: Double, cacheStatus: String?, userAgent: String?) {
        guard handle != nil else { return }
        let time = HTTPDate.now()
        let agent = (userAgent ?? "-").replacingOccurrences(of: "\"", with: "'")
        let line = "\(prefix) \(client) - - [\(time)] \"\(method) \(target) HTTP/1.\(minorVersion)\" \(status) \(bytes) "
            + "\"\(agent)\" \(String(format: "%.4f", seconds)) \(cacheStatus ?? "-")\n"
        pending.withLockedValue { $0.append(line) }
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
