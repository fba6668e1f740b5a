import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

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
}

/// Why a request failed, worded for a log line. `status` is set for HTTP errors.
public struct FetchError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public let status: Int?
    /// True when a download was stopped on purpose (see `AbandonmentRule`).
    public let abandoned: Bool

    init(_ description: String, status: Int? = nil, abandoned: Bool = false) {
        self.description = description
        self.status = status
        self.abandoned = abandoned
    }
}

/// GETs over AsyncHTTPClient's persistent connections, bound to the client's source address so
/// that the CDN sees it in the right coverage zone. Every request has a deadline and every read
/// a timeout: nothing here can wait forever.
public final class HTTPFetcher: Sendable {
    private let client: HTTPClient

    /// What a download's watcher is told after each chunk; returning true abandons the download.
    public typealias Progress = @Sendable (_ bytes: Int, _ total: Int?, _ elapsed: Double) -> Bool

    public init(sourceAddress: String?, connectTimeout: Double = 2, readTimeout: Double = 4) {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: .milliseconds(Int64(connectTimeout * 1000)), read: .milliseconds(Int64(readTimeout * 1000))),
            connectionPool: .init(idleTimeout: .seconds(30)))
        configuration.localAddress = sourceAddress
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func shutdown() async { try? await client.shutdown() }

    /// One GET. Redirects are followed (at most `redirectLimit`, a loop is named as such) unless
    /// `followRedirects` is false, when a 3xx comes back with its Location. Other non-2xx statuses throw.
    public func get(_ url: URL, range: ClosedRange<Int>? = nil, keepBody: Bool, followRedirects: Bool = true,
                    deadline: Double = 30, progress: Progress? = nil) async throws -> FetchResult {
        var current = url
        var visited = [url.absoluteString]
        while true {
            let result = try await getOnce(current, range: range, keepBody: keepBody, deadline: deadline, progress: progress)
            guard followRedirects, let location = result.location else { return result }
            guard let next = URL(string: location, relativeTo: current)?.absoluteURL else {
                throw FetchError("\(Self.authority(current)) redirected to an invalid Location \"\(location)\"", status: result.status)
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

    private func getOnce(_ url: URL, range: ClosedRange<Int>?, keepBody: Bool, deadline: Double,
                         progress: Progress?) async throws -> FetchResult {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.headers.add(name: "User-Agent", value: "dashcdn-player")
        if let range { request.headers.add(name: "Range", value: "bytes=\(range.lowerBound)-\(range.upperBound)") }
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
            throw FetchError("HTTP \(status) from \(Self.authority(url))", status: status)
        }
        let total = response.headers.first(name: "Content-Length").flatMap(Int.init)
        var body = keepBody ? Data() : nil
        var bytes = 0
        do {
            for try await chunk in response.body {
                bytes += chunk.readableBytes
                if keepBody { body?.append(contentsOf: chunk.readableBytesView) }
                if let progress, progress(bytes, total, stopwatch.elapsed) {
                    throw FetchError("abandoned after \(bytes) bytes", abandoned: true)
                }
            }
        } catch let error as FetchError {
            throw error
        } catch {
            throw FetchError("\(Self.describe(error, url: url)) after \(bytes) bytes")
        }
        if let total, bytes != total {
            throw FetchError("\(Self.authority(url)) sent \(bytes) of \(total) bytes")
        }
        return FetchResult(status: status, body: body, bytes: bytes, firstByte: firstByte,
                           seconds: stopwatch.elapsed, location: nil, url: url)
    }

    static func authority(_ url: URL) -> String { "\(url.host ?? "?")\(url.port.map { ":\($0)" } ?? "")" }

    /// AsyncHTTPClient's and NIO's errors in a few words.
    static func describe(_ error: Error, url: URL) -> String {
        let where_ = authority(url)
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connecting to \(where_) timed out"
            case .readTimeout: return "\(where_) stopped sending (read timeout)"
            case .deadlineExceeded: return "\(where_) did not finish in time"
            case .remoteConnectionClosed: return "\(where_) closed the connection"
            default: return "\(where_): \(error)"
            }
        }
        if error is CancellationError { return "cancelled" }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "\(where_) refused the connection" }
        if text.contains("reset") { return "\(where_) reset the connection" }
        return "\(where_): \(text)"
    }
}
