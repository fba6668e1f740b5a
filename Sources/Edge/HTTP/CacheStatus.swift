/// Where an edge found what it served, as `X-Cache` and the access log say it.
public enum CacheStatus: String, Sendable {
    /// From the cache, fresh.
    case hit = "HIT"
    /// Fetched from the parent for this request (or joined a fetch under way).
    case miss = "MISS"
    /// From the cache past its lifetime, because the parent could not be reached.
    case stale = "STALE"
}
