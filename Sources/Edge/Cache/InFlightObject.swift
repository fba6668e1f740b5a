import NIOConcurrencyHelpers
import NIOCore

/// An object being fetched from upstream, which any number of clients read while it arrives.
/// Its bytes go to a temporary cache file; when the cache cannot take them (a full disk, a
/// vanished folder) the rest are kept in memory instead, so what clients receive never depends
/// on the cache. The fetch reports the head and each stored run of bytes; readers wait for bytes
/// beyond what they have sent. All state sits behind one lock; waiters are promises completed on
/// their own event loops.
public final class InFlightObject: @unchecked Sendable {
    public struct Head: Sendable {
        public let size: Int64
        public let modified: Int
    }

    public enum Failure: Error, Sendable {
        case notFound
        /// The parent could not supply the object; the words are safe to show a client.
        case upstream(String)
    }

    /// Where the bytes at some offset can be read from.
    public enum Piece {
        /// In the file, up to `end`.
        case file(OpenFile, end: Int64)
        /// In memory: these bytes, starting at the offset asked for.
        case memory(ByteBuffer)
    }

    private let lock = NIOLock()
    private var head: Head?
    /// The file holding bytes `0..<onDisk`; nil when none could be written.
    private var file: OpenFile?
    private var onDisk: Int64 = 0
    /// Bytes from `onDisk` on, as they arrived, when the cache could not take them.
    private var inMemory: [(offset: Int64, bytes: ByteBuffer)] = []
    private var stored: Int64 = 0
    private var failure: Failure?
    private var headWaiters: [EventLoopPromise<Void>] = []
    private var byteWaiters: [(offset: Int64, promise: EventLoopPromise<Int64>)] = []

    public init() {}

    // MARK: reader side

    /// The head, once upstream has answered.
    public func waitForHead(on eventLoop: EventLoop) -> EventLoopFuture<Head> {
        lock.withLock { () -> EventLoopFuture<Head> in
            if let failure { return eventLoop.makeFailedFuture(failure) }
            if let head { return eventLoop.makeSucceededFuture(head) }
            let promise = eventLoop.makePromise(of: Void.self)
            headWaiters.append(promise)
            return promise.futureResult.flatMapThrowing { [self] in
                try lock.withLock {
                    if let failure { throw failure }
                    return head!
                }
            }
        }
    }

    /// How many bytes are stored, once that is more than `offset`.
    public func waitForBytes(beyond offset: Int64, on eventLoop: EventLoop) -> EventLoopFuture<Int64> {
        lock.withLock {
            if stored > offset { return eventLoop.makeSucceededFuture(stored) }
            if let failure { return eventLoop.makeFailedFuture(failure) }
            let promise = eventLoop.makePromise(of: Int64.self)
            byteWaiters.append((offset, promise))
            return promise.futureResult
        }
    }

    /// Where the stored bytes at `offset` are.
    public func piece(at offset: Int64) -> Piece? {
        lock.withLock {
            guard offset < stored else { return nil }
            if offset < onDisk, let file { return .file(file, end: onDisk) }
            // Body parts arrive in order: the last one starting at or before `offset` holds it.
            guard let first = inMemory.first, first.offset <= offset else { return nil }
            var low = 0, high = inMemory.count - 1
            while low < high {
                let middle = (low + high + 1) / 2
                if inMemory[middle].offset <= offset { low = middle } else { high = middle - 1 }
            }
            let part = inMemory[low]
            let skip = Int(offset - part.offset)
            return part.bytes.getSlice(at: part.bytes.readerIndex + skip, length: part.bytes.readableBytes - skip).map { .memory($0) }
        }
    }

    // MARK: fetch side

    /// Upstream answered; `file` receives the bytes (nil: they will all be kept in memory).
    func begin(head: Head, file: OpenFile?) {
        let waiters = lock.withLock { () -> [EventLoopPromise<Void>] in
            self.head = head
            self.file = file
            defer { headWaiters = [] }
            return headWaiters
        }
        waiters.forEach { $0.succeed() }
    }

    /// The file holds every byte up to `total`.
    func didStore(upTo total: Int64) {
        wake(lock.withLock {
            onDisk = total
            stored = total
            return dueWaiters()
        })
    }

    /// `bytes` arrived for `offset` and are kept in memory (the file takes no more).
    func didKeep(_ bytes: ByteBuffer, at offset: Int64) {
        wake(lock.withLock {
            inMemory.append((offset, bytes))
            stored = offset + Int64(bytes.readableBytes)
            return dueWaiters()
        })
    }

    /// The waiters that `stored` now satisfies, taken off the list, and `stored`; under the lock.
    private func dueWaiters() -> (promises: [EventLoopPromise<Int64>], stored: Int64) {
        var due: [EventLoopPromise<Int64>] = []
        byteWaiters.removeAll { waiter in
            guard stored > waiter.offset else { return false }
            due.append(waiter.promise)
            return true
        }
        return (due, stored)
    }

    /// Completes them outside the lock (a waiter's callbacks may call back in).
    private func wake(_ due: (promises: [EventLoopPromise<Int64>], stored: Int64)) {
        due.promises.forEach { $0.succeed(due.stored) }
    }

    func fail(_ reason: Failure) {
        let (heads, bytes) = lock.withLock { () -> ([EventLoopPromise<Void>], [EventLoopPromise<Int64>]) in
            failure = reason
            defer { headWaiters = []; byteWaiters = [] }
            return (headWaiters, byteWaiters.map(\.promise))
        }
        heads.forEach { $0.fail(reason) }
        bytes.forEach { $0.fail(reason) }
    }
}
