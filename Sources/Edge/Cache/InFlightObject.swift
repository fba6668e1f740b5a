import NIOConcurrencyHelpers
import NIOCore

/// An object being fetched from upstream into a temporary file, which any number of clients read
/// while it arrives. The fetch reports the head and each stored run of bytes; readers wait for
/// bytes beyond what they have sent. All state sits behind one lock; waiters are promises
/// completed on their own event loops.
public final class InFlightObject: @unchecked Sendable {
    public struct Head: Sendable {
        public let size: Int64
        public let modified: Int
    }

    public enum Failure: Error, Sendable {
        case notFound
        case upstream(String)
    }

    private let lock = NIOLock()
    private var head: Head?
    private var file: OpenFile?
    private var stored: Int64 = 0
    private var failure: Failure?
    private var headWaiters: [EventLoopPromise<Void>] = []
    private var byteWaiters: [(offset: Int64, promise: EventLoopPromise<Int64>)] = []

    public init() {}

    // MARK: reader side

    /// The head and the file the bytes go to, once upstream has answered.
    public func waitForHead(on eventLoop: EventLoop) -> EventLoopFuture<(Head, OpenFile)> {
        lock.withLock { () -> EventLoopFuture<(Head, OpenFile)> in
            if let failure { return eventLoop.makeFailedFuture(failure) }
            if let head, let file { return eventLoop.makeSucceededFuture((head, file)) }
            let promise = eventLoop.makePromise(of: Void.self)
            headWaiters.append(promise)
            return promise.futureResult.flatMapThrowing { [self] in
                try lock.withLock {
                    if let failure { throw failure }
                    return (head!, file!)
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

    // MARK: fetch side

    func begin(head: Head, file: OpenFile) {
        let waiters = lock.withLock { () -> [EventLoopPromise<Void>] in
            self.head = head
            self.file = file
            defer { headWaiters = [] }
            return headWaiters
        }
        waiters.forEach { $0.succeed() }
    }

    func didStore(upTo total: Int64) {
        let ready = lock.withLock { () -> [EventLoopPromise<Int64>] in
            stored = total
            let (due, waiting) = byteWaiters.reduce(into: ([EventLoopPromise<Int64>](), [(offset: Int64, promise: EventLoopPromise<Int64>)]())) {
                if total > $1.offset { $0.0.append($1.promise) } else { $0.1.append($1) }
            }
            byteWaiters = waiting
            return due
        }
        ready.forEach { $0.succeed(total) }
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
