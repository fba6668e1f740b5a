import Foundation

/// Log lines written by a background thread, so that event loops never block on a terminal or
/// a disk. Lines beyond `maxPending` (a destination slower than the requests) are dropped and
/// counted.
public final class LineLog: Sendable {
    private let queue: LineQueue?

    /// `purpose` names the log in the error when the file cannot be opened ("access log").
    public init(destination: LogDestination, purpose: String) throws {
        let handle: FileHandle
        switch destination {
        case .off:
            queue = nil
            return
        case .standardOutput:
            handle = FileHandle.standardOutput
        case .file(let path):
            // O_APPEND: the servers of one process (`cdn up`) may share a log file, and each
            // line must land at the end, not over another server's.
            let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw ServerError("\(path): cannot open the \(purpose) for writing") }
            handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
        }
        let queue = LineQueue(handle: handle)
        self.queue = queue
        let thread = Thread { queue.drainUntilClosed() }
        thread.name = purpose
        thread.start()
    }

    deinit { queue?.close() }

    public var isEnabled: Bool { queue != nil }

    /// Queues one line (a newline is added).
    public func write(_ line: String) { queue?.append(line + "\n") }

    /// Returns once every line queued so far is written.
    public func flush() { queue?.waitUntilWritten() }
}

/// The lines waiting for the writer thread, behind one condition: writers signal it, the thread
/// sleeps on it until there is work or the log is closed.
private final class LineQueue: @unchecked Sendable {
    static let maxPending = 100_000

    private let handle: FileHandle
    private let condition = NSCondition()
    private var lines: [String] = []
    private var dropped = 0
    private var closed = false
    /// Batches taken and batches written, so `flush` can wait for the one in flight.
    private var taken = 0
    private var written = 0

    init(handle: FileHandle) { self.handle = handle }

    func append(_ line: String) {
        condition.lock()
        if lines.count < Self.maxPending { lines.append(line) } else { dropped += 1 }
        condition.signal()
        condition.unlock()
    }

    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    func waitUntilWritten() {
        condition.lock()
        let target = taken + (lines.isEmpty && dropped == 0 ? 0 : 1)
        condition.signal()
        while written < target && !closed { condition.wait() }
        condition.unlock()
    }

    /// The writer thread's loop: takes everything queued, writes it outside the lock.
    func drainUntilClosed() {
        while true {
            condition.lock()
            while lines.isEmpty && dropped == 0 && !closed { condition.wait() }
            if closed && lines.isEmpty && dropped == 0 {
                condition.unlock()
                return
            }
            var batch = lines
            if dropped > 0 { batch.append("(\(dropped) lines dropped: the log could not keep up)\n") }
            lines = []
            dropped = 0
            taken += 1
            condition.unlock()
            handle.write(Data(batch.joined().utf8))
            condition.lock()
            written += 1
            condition.broadcast()
            condition.unlock()
        }
    }
}
