import ContentLayout
import HTTPCore
import NIOCore
import ServerSupport

/// Something a server can answer a file request with.
public struct Content: Sendable {
    public enum Source: Sendable {
        /// A complete file.
        case file(OpenFile)
        /// An object still arriving from upstream; its bytes appear over time.
        case arriving(InFlightObject)

        /// Whether the bytes are in memory, to be written rather than sent with sendfile.
        var inMemory: Bool {
            if case .file(let file) = self { return file.contents != nil }
            return false
        }
    }

    public var source: Source
    public var size: Int64
    public var validators: Validators
    public var policy: ContentPolicy
    /// HIT, MISS or STALE for an edge's cache; nil on the origin.
    public var cacheStatus: CacheStatus?

    public init(source: Source, size: Int64, validators: Validators, policy: ContentPolicy, cacheStatus: CacheStatus?) {
        self.source = source
        self.size = size
        self.validators = validators
        self.policy = policy
        self.cacheStatus = cacheStatus
    }

    /// A complete file, with the validators it was opened with.
    public init(file: OpenFile, policy: ContentPolicy, cacheStatus: CacheStatus?) {
        self.init(source: .file(file), size: file.size, validators: file.validators, policy: policy, cacheStatus: cacheStatus)
    }
}

public enum ContentLookup: Sendable {
    case found(Content)
    case notFound
    /// The object cannot be had right now (upstream down, upstream error).
    case unavailable(HTTPStatus, String)
}

/// Something a source has at once (a file on disk, a cache hit) or only later (a parent fetch).
/// Answering at once spares the request a chain of futures: their allocations and callbacks
/// cost more than serving a small file from memory.
public enum Eventual<Value: Sendable>: Sendable {
    case now(Value)
    case later(EventLoopFuture<Value>)

    func map<T: Sendable>(_ transform: @escaping @Sendable (Value) -> T) -> Eventual<T> {
        switch self {
        case .now(let value): return .now(transform(value))
        case .later(let future): return .later(future.map(transform))
        }
    }
}

/// Where a server's files come from: a folder on disk (origin) or a cache in front of a parent (edge).
public protocol ContentSource: Sendable {
    func lookup(_ path: ContentPath, on eventLoop: EventLoop) -> Eventual<ContentLookup>
}

/// The origin's source: the root folder, in DESIGN.md's URL layout.
public struct FolderSource: ContentSource {
    public let root: String
    let realRoot: String
    let files: OpenFileCache

    /// `memoryBudget`: bytes of hot files held in memory (`limits.memory_cache_bytes`).
    public init(root: String, memoryBudget: Int64) throws {
        guard let realRoot = OpenFile.realRoot(root) else { throw ServerError("\(root): no such folder to serve") }
        self.root = root
        self.realRoot = realRoot
        files = OpenFileCache(memoryBudget: memoryBudget)
    }

    public func lookup(_ path: ContentPath, on eventLoop: EventLoop) -> Eventual<ContentLookup> {
        // Opening a local file takes microseconds; doing it inline is what nginx does too.
        do {
            let file = try files.open(path: realRoot + "/" + path.relativePath, realRoot: realRoot)
            return .now(.found(Content(file: file, policy: .of(path.kind), cacheStatus: nil)))
        } catch {
            return .now(.notFound)
        }
    }
}
