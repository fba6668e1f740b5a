import CMCD
import Addressing
import Foundation
import MPD

/// The player's view of the edges: the router's answer, best first, with the edges that just
/// failed moved to the back for a while. Every request goes through `fetch`, which walks the
/// list on errors and asks the router again when the whole list has failed.
actor EdgeDirectory {
    private let router: EdgeRouter
    private let fetcher: HTTPFetcher
    private let log: @Sendable (String) -> Void
    private let stopwatch = Stopwatch()
    private var choices: [EdgeChoice] = []
    private var expires = Double.infinity
    private var penalties: [String: Double] = [:]
    /// The edge the last successful request used, to log switches.
    private(set) var current: String?

    /// How long a failed edge stays at the back of the list.
    static let penalty = 10.0
    /// Attempts and the total time one request may take across edges before playback gives up.
    static let maxAttempts = 12
    static let giveUpAfter = 40.0

    init(router: EdgeRouter, fetcher: HTTPFetcher, log: @escaping @Sendable (String) -> Void) {
        self.router = router
        self.fetcher = fetcher
        self.log = log
    }

    private var now: Double { stopwatch.elapsed }

    /// The choices, refreshed when empty or expired, healthy ones first.
    private func ordered(for logicalURL: URL) async throws -> [EdgeChoice] {
        if choices.isEmpty || now >= expires { try await refresh(logicalURL) }
        let time = now
        let healthy = choices.filter { (penalties[$0.name] ?? 0) <= time }
        return healthy + choices.filter { (penalties[$0.name] ?? 0) > time }
    }

    private func refresh(_ logicalURL: URL) async throws {
        let (fresh, ttl) = try await router.route(logicalURL)
        guard !fresh.isEmpty else { throw FetchError("the router named no edge") }
        choices = fresh
        expires = ttl.map { now + $0 } ?? .infinity
    }

    /// GETs `reference` from the best edge, failing over on connect errors, resets, timeouts and
    /// 5xx (and 404, which another edge may not share). A body that broke off part-way is resumed
    /// on the next edge (only the rest is asked for), unless `progress` says at that moment that
    /// the rest would arrive too late: then the download is abandoned, as one that slows down is.
    /// An abandoned download is not a failure of the edge: it is rethrown at once for the caller
    /// to re-request at a lower level.
    func fetch(_ reference: ResourceReference, bases: [BaseLocation], logical: ListenAddress?, keepBody: Bool,
               cmcd: CMCDData? = nil, progress: HTTPFetcher.Progress? = nil) async throws -> (FetchResult, String) {
        let logicalURL = reference.url(against: bases[0].url) ?? bases[0].url
        let start = now
        var tried: Set<String> = []
        var notFound: Set<String> = []
        var lastError = FetchError("no edge to ask")
        var partial: PartialBody?
        var round = 0
        for _ in 0..<Self.maxAttempts where now - start < Self.giveUpAfter {
            let list: [EdgeChoice]
            do { list = try await ordered(for: logicalURL) } catch let error as FetchError {
                lastError = error
                try await backOff(&round, after: error)
                continue
            }
            guard let choice = list.first(where: { !tried.contains($0.name) }) else {
                if !notFound.isEmpty, notFound == tried {
                    throw FetchError("\(logicalURL.path) is missing (404) on every edge", status: 404)
                }
                tried.removeAll()
                notFound.removeAll()
                try? await refresh(logicalURL)
                try await backOff(&round, after: lastError)
                continue
            }
            guard let url = choice.url(for: reference, bases: bases, logical: logical) else {
                throw FetchError("cannot form a URL for \(reference.path)")
            }
            do {
                let result = try await fetcher.get(url, range: reference.range, keepBody: keepBody, resume: partial,
                                                   cmcd: cmcd, progress: progress)
                if let previous = current, previous != choice.name { log("now fetching from \(choice.name) (was \(previous))") }
                current = choice.name
                return (result, choice.name)
            } catch let error as FetchError where !error.abandoned {
                tried.insert(choice.name)
                if error.status == 404 { notFound.insert(choice.name) }
                penalties[choice.name] = now + Self.penalty
                lastError = error
                if let broken = error.partial, broken.bytes > partial?.bytes ?? 0 { partial = broken }
                log("edge \(choice.name): \(error.description) (\(url.path)); trying another"
                    + (partial.map { ", resuming at byte \($0.bytes)" } ?? ""))
                if let partial, let progress, progress(partial.bytes, partial.total, now - start) {
                    throw FetchError("abandoned at failover after \(partial.bytes) bytes", abandoned: true)
                }
            }
        }
        throw FetchError("gave up on \(logicalURL.path) after \(Int(now - start)) s: \(lastError.description)", status: lastError.status)
    }

    /// Waits a little longer after each round in which every edge failed: 0.25 s, 0.5 s, 1 s, 2 s.
    private func backOff(_ round: inout Int, after error: FetchError) async throws {
        let delay = min(0.25 * pow(2, Double(round)), 2)
        round += 1
        try await Task.sleep(for: .seconds(delay))
    }
}
