import CMCD
import Addressing
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import ServerSupport

/// One finished GET: what came back and how long it took.
public struct FetchResult: Sendable {
    public var status: Int
    /// The body when it was asked for (manifests, indexes); segments are only counted.
    public var body: Data?
    public var bytes: Int
    /// Request sent to response head received.
    public var firstByte: Double
    /// Request sent to last byte received.
    public var seconds: Double
    public var location: String?
    /// Where the bytes finally came from, after redirects.
    public var url: URL
    /// The `CMSD-Dynamic` entry of the server nearest the player, when it sent one.
    public var serverData: CMSDDynamic? = nil
}

/// Why a request failed, worded for a log line. `status` is set for HTTP errors.
public struct FetchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public let status: Int?
    /// True when a download was stopped on purpose (see `AbandonmentRule`).
    public let abandoned: Bool
    /// What had arrived when the body broke off, for another server to send the rest of.
    public let partial: PartialBody?

    init(_ description: String, status: Int? = nil, abandoned: Bool = false, partial: PartialBody? = nil) {
        self.description = description
        self.status = status
        self.abandoned = abandoned
        self.partial = partial
    }
}

/// The start of a body whose transfer broke off: enough to ask another server for the rest
/// (`Range` from `bytes` on, `If-Range` with the validator, so that a different object comes
/// back whole) and to account for the whole download when it completes.
public struct PartialBody: Sendable {
    public var bytes: Int
    /// The whole body's length, when it was announced.
    public var total: Int?
    /// The ETag (or, lacking one, Last-Modified) of what was being sent.
    public var validator: String
    public var body: Data?
    /// Request sent to first response byte, of the first attempt.
    public var firstByte: Double
    /// Time spent on the attempts so far.
    public var seconds: Double
}

/// GETs over AsyncHTTPClient's persistent connections, bound to the client's source address so
/// that the CDN sees it in the right coverage zone. Every request has a deadline and every read
/// a timeout: nothing here can wait forever.
public final class HTTPFetcher: Sendable {
    private let client: HTTPClient
    private let cmcd: CMCDReporter?

    /// What a download's watcher is told after each chunk; returning true abandons the download.
    public typealias Progress = @Sendable (_ bytes: Int, _ total: Int?, _ elapsed: Double) -> Bool

    init(sourceAddress: String?, cmcd: CMCDReporter? = nil, connectTimeout: Double = 2, readTimeout: Double = 4) {
        self.cmcd = cmcd
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1000)), read: .milliseconds(Int64(readTimeout * 1000))),
            connectionPool: .init(idleTimeout: .seconds(30)))
        configuration.localAddress = sourceAddress
        // A refused connection fails the request at once: the player fails over to another
        // edge itself, and AsyncHTTPClient's own retries would spend the whole connect timeout
        // (and the buffer) knocking on an edge that has gone.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async { try? await client.shutdown() }

    /// One GET. Redirects are followed (at most `redirectLimit`, a loop is named as such) unless
    /// `followRedirects` is false, when a 3xx comes back with its Location. Other non-2xx statuses throw.
    /// `resume`: what another server already sent of this body; the rest is asked for.
    public func get(_ url: URL, range: ClosedRange<Int>? = nil, keepBody: Bool, followRedirects: Bool = true,
                    deadline: Double = 30, resume: PartialBody? = nil, cmcd data: CMCDData? = nil,
                    progress: Progress? = nil) async throws -> FetchResult {
        var current = url
        var visited = [url.absoluteString]
        while true {
            let result = try await getOnce(current, range: range, keepBody: keepBody, deadline: deadline, resume: resume,
                                           cmcd: data, progress: progress)
            guard followRedirects, let location = result.location else { return result }
            guard let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                throw FetchError("\(Self.peer(current)) redirected to an invalid Location \"\(location)\"", status: result.status)
            }
            if visited.contains(next.absoluteString) {
                throw FetchError("redirect loop: \((visited + [next.absoluteString]).joined(separator: " -> "))", status: result.status)
            }
            guard visited.count <= Self.redirectLimit else {
                throw FetchError("more than \(Self.redirectLimit) redirects from \(url.absoluteString)", status: result.status)
            }
            visited.append(next.absoluteString)
            current = next
        }
    }

    static let redirectLimit = 5

    private func getOnce(_ url: URL, range: ClosedRange<Int>?, keepBody: Bool, deadline: Double, resume: PartialBody?,
                         cmcd data: CMCDData?, progress: Progress?) async throws -> FetchResult {
        let (requestURL, cmcdHeaders) = cmcd?.apply(data, to: url) ?? (url, [])
        var request = HTTPClientRequest(url: requestURL.absoluteString)
        request.headers.add(name: "User-Agent", value: "dashcdn-player")
        for header in cmcdHeaders { request.headers.add(name: header.name, value: header.value) }
        if let header = Self.rangeHeader(range, skipping: resume?.bytes ?? 0) { request.headers.add(name: "Range", value: header) }
        if let resume { request.headers.add(name: "If-Range", value: resume.validator) }
        let stopwatch = Stopwatch()
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, deadline: .now() + .milliseconds(Int64(deadline * 1000)))
        } catch {
            throw FetchError(Self.describe(error, url: url))
        }
        let firstByte = stopwatch.elapsed
        let status = Int(response.status.code)
        if (300..<400).contains(status) {
            return FetchResult(status: status, body: nil, bytes: 0, firstByte: firstByte, seconds: firstByte,
                               location: response.headers.first(name: "Location"), url: url)
        }
        guard (200..<300).contains(status) else {
            throw FetchError("HTTP \(status) from \(Self.peer(url))", status: status)
        }
        // A 206 to a resumed request is the rest; a 200 (the object changed, the server ignores
        // ranges) is the whole body again, unusable when only a byte range of it was wanted.
        let continued = status == 206 ? resume : nil
        if resume != nil, continued == nil, range != nil {
            throw FetchError("\(Self.peer(url)) has a different object than the one being fetched")
        }
        let offset = continued?.bytes ?? 0
        let total = response.headers.first(name: "Content-Length").flatMap(Int.init).map { $0 + offset }
        var body = keepBody ? (continued?.body ?? Data()) : nil
        var bytes = offset
        let earlier = continued?.seconds ?? resume?.seconds ?? 0
        do {
            for try await chunk in response.body {
                bytes += chunk.readableBytes
                if keepBody { body?.append(contentsOf: chunk.readableBytesView) }
                if let progress, progress(bytes, total, earlier + stopwatch.elapsed) {
                    throw FetchError("abandoned after \(bytes) bytes", abandoned: true)
                }
            }
        } catch let error as FetchError {
            throw error
        } catch {
            let validator = response.headers.first(name: "ETag") ?? response.headers.first(name: "Last-Modified")
            let partial = validator.map {
                PartialBody(bytes: bytes, total: total, validator: $0, body: body,
                            firstByte: continued?.firstByte ?? firstByte, seconds: earlier + stopwatch.elapsed)
            }
            throw FetchError("\(Self.describe(error, url: url)) after \(bytes) bytes", partial: bytes > 0 ? partial : nil)
        }
        if let total, bytes != total {
            throw FetchError("\(Self.peer(url)) sent \(bytes) of \(total) bytes")
        }
        return FetchResult(status: status, body: body, bytes: bytes, firstByte: continued?.firstByte ?? firstByte,
                           seconds: earlier + stopwatch.elapsed, location: nil, url: url,
                           serverData: response.headers.first(name: CMSDDynamic.headerName).flatMap { CMSDDynamic.entries(in: $0).last })
    }

    /// The Range header for `range` (nil: the whole body) with its first `skipping` bytes
    /// already had.
    static func rangeHeader(_ range: ClosedRange<Int>?, skipping: Int) -> String? {
        if let range { return "bytes=\(range.lowerBound + skipping)-\(range.upperBound)" }
        return skipping > 0 ? "bytes=\(skipping)-" : nil
    }

    /// The host:port a URL's request went to, as error messages name it.
    static func peer(_ url: URL) -> String { ListenAddress(url)?.description ?? "?" }

    /// AsyncHTTPClient's and NIO's errors in a few words, naming the peer.
    static func describe(_ error: Error, url: URL) -> String {
        "\(Self.peer(url)) \(requestFailureText(error))"
    }
}
