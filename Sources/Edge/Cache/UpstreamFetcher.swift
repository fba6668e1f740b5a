import AsyncHTTPClient
import ContentLayout
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// Fetches misses from the parent with AsyncHTTPClient, one fetch per object however many clients
/// ask at once, storing the bytes in the cache while clients read them.
public final class UpstreamFetcher: Sendable {
    public let parent: String
    private let client: HTTPClient
    private let cache: CacheStore
    private let status: NodeStatus
    private let inFlight = NIOLockedValueBox([String: InFlightObject]())
    private let clock: @Sendable () -> Double

    /// `parent` is a base URL such as `http://127.0.0.1:8080`.
    public init(parent: String, client: HTTPClient, cache: CacheStore, status: NodeStatus, clock: @escaping @Sendable () -> Double) {
        self.parent = parent
        self.client = client
        self.cache = cache
        self.status = status
        self.clock = clock
    }

    /// The object for `key` (a URL path), joining a fetch already under way if there is one.
    public func fetch(_ key: String) -> InFlightObject {
        let (object, isNew) = inFlight.withLockedValue { map -> (InFlightObject, Bool) in
            if let existing = map[key] { return (existing, false) }
            let made = InFlightObject()
            map[key] = made
            return (made, true)
        }
        if isNew { start(key, into: object) }
        return object
    }

    private func start(_ key: String, into object: InFlightObject) {
        status.metrics.upstreamFetch()
        let done: @Sendable (Bool) -> Void = { [self] ok in
            inFlight.withLockedValue { _ = $0.removeValue(forKey: key) }
            if !ok { status.metrics.upstreamError() }
        }
        do {
            let request = try HTTPClient.Request(url: parent + key, method: .GET,
                                                 headers: ["User-Agent": "dashcdn-edge/\(status.name)"])
            let delegate = FetchDelegate(key: key, object: object, cache: cache, clock: clock, done: done)
            _ = client.execute(request: request, delegate: delegate, deadline: .now() + .seconds(60))
        } catch {
            object.fail(.upstream("cannot form the request"))
            done(false)
        }
    }
}

/// Streams one upstream response into a temporary cache file. AsyncHTTPClient calls it on one
/// event loop in order; the returned futures hold back the next body part until the last is on
/// disk, so a fast parent cannot fill memory. When the cache cannot take the bytes (a full disk,
/// a vanished folder), the cache copy is dropped and the rest of the object is kept in memory
/// for its readers: a cache failure never changes what a client receives.
private final class FetchDelegate: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = Void

    let key: String
    let object: InFlightObject
    let cache: CacheStore
    let clock: @Sendable () -> Double
    let done: @Sendable (Bool) -> Void
    private var temporary: (path: String, descriptor: CInt)?
    private var expected: Int64 = 0
    private var modified = 0
    private var written: Int64 = 0
    /// The bytes go to memory, not the cache (which failed, or could not be opened).
    private var passThrough = false
    private var failed = false

    /// Larger objects are not passed through memory when the cache fails: they fail instead.
    static let largestInMemory: Int64 = 64 << 20

    init(key: String, object: InFlightObject, cache: CacheStore, clock: @escaping @Sendable () -> Double,
         done: @escaping @Sendable (Bool) -> Void) {
        self.key = key
        self.object = object
        self.cache = cache
        self.clock = clock
        self.done = done
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let eventLoop = task.eventLoop
        switch head.status.code {
        case 200:
            break
        case 404, 410:
            return giveUp(.notFound, task: task)
        default:
            return giveUp(.upstream("the parent answered \(head.status.code) \(head.status.reasonPhrase)"), task: task)
        }
        guard let length = head.headers.first(name: "content-length").flatMap(Int64.init), length >= 0 else {
            return giveUp(.upstream("the parent sent no Content-Length"), task: task)
        }
        expected = length
        modified = head.headers.first(name: "last-modified").flatMap(HTTPDate.parse) ?? Int(Date().timeIntervalSince1970)
        var readers: OpenFile?
        if let file = cache.makeTemporaryFile() {
            temporary = file
            // Readers get their own descriptor on the same file, which outlives this fetch.
            readers = OpenFile(descriptor: dup(file.descriptor), size: length, modified: modified)
        } else {
            guard length <= Self.largestInMemory else { return giveUp(.upstream("the cache cannot store it"), task: task) }
            passThrough = true
        }
        object.begin(head: InFlightObject.Head(size: length, modified: modified), file: readers)
        if length == 0 { object.didStore(upTo: 0) }
        return eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        guard !failed else { return task.eventLoop.makeSucceededVoidFuture() }
        let offset = written
        written += Int64(buffer.readableBytes)
        guard written <= expected else {
            return giveUp(.upstream("the parent sent more than its Content-Length"), task: task)
        }
        guard !passThrough, let temporary else {
            object.didKeep(buffer, at: offset)
            return task.eventLoop.makeSucceededVoidFuture()
        }
        let object = self.object
        return NIOThreadPool.singleton.runIfActive(eventLoop: task.eventLoop) {
            try buffer.withUnsafeReadableBytes { bytes in
                var done = 0
                while done < bytes.count {
                    let n = pwrite(temporary.descriptor, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
                    guard n > 0 else { throw IOError(errnoCode: errno, reason: "pwrite") }
                    done += n
                }
            }
        }.map {
            object.didStore(upTo: offset + Int64(buffer.readableBytes))
        }.flatMapError { [self] error in
            // The disk refused: this part and the rest go to the readers from memory.
            guard expected - offset <= Self.largestInMemory else {
                return giveUp(.upstream("the cache cannot store it"), task: task)
            }
            dropCacheCopy(because: error)
            object.didKeep(buffer, at: offset)
            return task.eventLoop.makeSucceededVoidFuture()
        }
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        guard !failed else { return }
        guard written == expected else {
            return fail(.upstream("the parent's body ended at \(written) of \(expected) bytes"))
        }
        guard let temporary else { return done(true) }  // passed through: nothing to keep
        // The stored copy carries the parent's modification time, so its validators match.
        var times = [timespec(tv_sec: time_t(modified), tv_nsec: 0), timespec(tv_sec: time_t(modified), tv_nsec: 0)]
        futimens(temporary.descriptor, &times)
        close(temporary.descriptor)
        self.temporary = nil
        let policy = ContentPolicy.of(ContentKind(fileName: key))
        if !cache.commit(temporary: temporary.path, key: key, size: expected, freshUntil: clock() + Double(policy.freshFor)) {
            unlink(temporary.path)
        }
        done(true)
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: Error) {
        fail(.upstream("cannot reach the parent"))
    }

    private func dropCacheCopy(because error: Error) {
        passThrough = true
        if let temporary {
            close(temporary.descriptor)
            unlink(temporary.path)
            self.temporary = nil
        }
        cache.writeFailed(errno: (error as? IOError)?.errnoCode ?? 0, needing: expected)
    }

    private func giveUp(_ reason: InFlightObject.Failure, task: HTTPClient.Task<Void>) -> EventLoopFuture<Void> {
        fail(reason)
        return task.eventLoop.makeSucceededVoidFuture()
    }

    private func fail(_ reason: InFlightObject.Failure) {
        guard !failed else { return }
        failed = true
        if let temporary {
            close(temporary.descriptor)
            unlink(temporary.path)
            self.temporary = nil
        }
        object.fail(reason)
        if case .notFound = reason { done(true) } else { done(false) }
    }
}
