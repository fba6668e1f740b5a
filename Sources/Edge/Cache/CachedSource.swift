import ContentLayout
import NIOCore

/// An edge's content: fresh cached objects are hits; anything else comes from the parent through
/// the fetcher, and a stale copy stands in when the parent cannot be reached.
public struct CachedSource: ContentSource {
    public let cache: CacheStore
    public let fetcher: UpstreamFetcher
    let clock: @Sendable () -> Double

    public init(cache: CacheStore, fetcher: UpstreamFetcher, clock: @escaping @Sendable () -> Double) {
        self.cache = cache
        self.fetcher = fetcher
        self.clock = clock
    }

    public func lookup(_ path: ContentPath, on eventLoop: EventLoop) -> Eventual<ContentLookup> {
        let key = path.urlPath
        let policy = ContentPolicy.of(path.kind)
        let held = cache.lookup(key, now: clock())
        if let held, held.fresh {
            return .now(.found(Content(file: held.file, policy: policy, cacheStatus: .hit)))
        }
        let object = fetcher.fetch(key)
        return .later(object.waitForHead(on: eventLoop).map { head -> ContentLookup in
            .found(Content(source: .arriving(object), size: head.size,
                           validators: Validators(size: head.size, modified: head.modified), policy: policy, cacheStatus: .miss))
        }.flatMapErrorThrowing { error -> ContentLookup in
            switch error as? InFlightObject.Failure {
            case .notFound:
                cache.forget(key)
                return .notFound
            case .upstream(let reason):
                if let held { return .found(Content(file: held.file, policy: policy, cacheStatus: .stale)) }
                return .unavailable(.badGateway, "The parent cannot supply this object: \(reason).")
            case nil:
                return .unavailable(.badGateway, "The parent cannot supply this object.")
            }
        })
    }
}
