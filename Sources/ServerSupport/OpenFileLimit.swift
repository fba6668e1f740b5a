#if canImport(Glibc)
import Glibc
#endif

/// A flood of connections must meet the servers' connection limits, not the descriptor table:
/// lifts the soft descriptor limit to the hard one.
public func raiseOpenFileLimit() {
    var limit = rlimit()
    guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
    limit.rlim_cur = limit.rlim_max
    _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
}
