import ContentLayout
import Foundation

/// CMCD's `nor` names the object a player will ask for next: an edge that does not hold it
/// fetches it as soon as the current answer is out, so that the next request is a hit. The
/// fetch is the same one any client's miss would start, so it is never made twice.
struct NextObjectPrefetch: RequestObserver {
    let cache: CacheStore
    let fetcher: UpstreamFetcher
    let clock: @Sendable () -> Double

    func requestFinished(_ record: RequestRecord) {
        guard record.status.code < 400, let next = record.cmcd?.nextObjectRequest, let target = record.head?.target,
              let path = Self.resolve(next, against: target) else { return }
        let key = path.urlPath
        if let held = cache.lookup(key, now: clock()), held.fresh { return }
        _ = fetcher.fetch(key)
    }

    /// `next` relative to the request's URL, as CTA-5004 defines it; nil unless it names a file
    /// the layout serves.
    static func resolve(_ next: String, against target: String) -> ContentPath? {
        let path = target.prefix { $0 != "?" && $0 != "#" }
        guard let base = URL(string: "http://edge" + path), let url = URL(string: next, relativeTo: base),
              case .file(let resolved) = RequestTarget(url.absoluteURL.path) else { return nil }
        return resolved
    }
}
