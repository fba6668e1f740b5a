import ContentLayout
import Edge
import HTTPCore
import Topology
import XCTest

/// The protocol rules, driven without sockets.
final class HTTPSemanticsTests: XCTestCase {
    private func parse(_ text: String, _ parser: RequestHeadParser = RequestHeadParser()) -> RequestHeadParser.Outcome {
        Array(text.utf8).withUnsafeBytes { parser.parse($0) }
    }

    func testParserFindsOneHeadAndLeavesThePipelinedRest() {
        let first = "GET /a HTTP/1.1\r\nHost: x\r\nRange:  bytes=0-1 \r\n\r\n"
        guard case .complete(let head, let consumed) = parse(first + "GET /b HTTP/1.1\r\n") else { return XCTFail() }
        XCTAssertEqual(consumed, first.utf8.count)
        XCTAssertEqual(head.target, "/a")
        XCTAssertEqual(head["range"], "bytes=0-1")
        XCTAssertTrue(head.keepAlive)
        XCTAssertEqual(parse("GET /a HTTP/1.1\r\nHost: x\r\n"), .incomplete)
    }

    func testParserRefusals() {
        var small = RequestHeadParser()
        small.maxRequestLine = 100
        small.maxHeaderLine = 100
        small.maxHeadBytes = 300
        XCTAssertEqual(parse("GET /\(String(repeating: "a", count: 200)) HTTP/1.1\r\n", small), .reject(.uriTooLong))
        XCTAssertEqual(parse("GET /\(String(repeating: "a", count: 200))", small), .reject(.uriTooLong))
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nX: \(String(repeating: "b", count: 200))\r\n", small), .reject(.headerFieldsTooLarge))
        let many = (0..<10).map { "X-\($0): \(String(repeating: "c", count: 50))\r\n" }.joined()
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: x\r\n" + many + "\r\n", small), .reject(.headerFieldsTooLarge))
        XCTAssertEqual(parse("GET / HTTP/1.1\r\n\r\n"), .reject(.badRequest), "HTTP/1.1 needs Host")
        XCTAssertEqual(parse("GET / HTTP/2.0\r\nHost: x\r\n\r\n"), .reject(.httpVersionNotSupported))
        XCTAssertEqual(parse("GET /  HTTP/1.1\r\nHost: x\r\n\r\n"), .reject(.badRequest))
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost : x\r\n\r\n"), .reject(.badRequest), "space before colon")
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n"), .reject(.badRequest), "obs-fold")
        XCTAssertEqual(parse("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
                       .reject(.badRequest), "smuggling signature")
        guard case .complete(let head, _) = parse("GET / HTTP/1.0\r\n\r\n") else { return XCTFail() }
        XCTAssertFalse(head.keepAlive)
    }

    func testByteRanges() {
        XCTAssertEqual(ByteRangeRequest(header: "bytes=0-99", length: 1000), .range(0...99))
        XCTAssertEqual(ByteRangeRequest(header: "bytes=900-", length: 1000), .range(900...999))
        XCTAssertEqual(ByteRangeRequest(header: "bytes=-100", length: 1000), .range(900...999))
        XCTAssertEqual(ByteRangeRequest(header: "bytes=-5000", length: 1000), .range(0...999))
        XCTAssertEqual(ByteRangeRequest(header: "bytes=990-5000", length: 1000), .range(990...999))
        XCTAssertEqual(ByteRangeRequest(header: "bytes=1000-", length: 1000), .unsatisfiable)
        XCTAssertEqual(ByteRangeRequest(header: "bytes=-0", length: 1000), .unsatisfiable)
        XCTAssertEqual(ByteRangeRequest(header: "bytes=5-1", length: 1000), .whole)
        XCTAssertEqual(ByteRangeRequest(header: "bytes=0-1,5-6", length: 1000), .whole)
        XCTAssertEqual(ByteRangeRequest(header: "items=0-1", length: 1000), .whole)
        XCTAssertEqual(ByteRangeRequest(header: "bytes=99999999999999999999999-", length: 1000), .unsatisfiable)
    }

    func testPreconditionsInRFCOrder() {
        let validators = Validators(size: 10, modified: 1_000_000)
        func head(_ headers: [(String, String)]) -> RequestHead {
            RequestHead(method: .get, target: "/", minorVersion: 1, headers: [("host", "x")] + headers.map { ($0.0, $0.1) })
        }
        let date = HTTPDate.format(1_000_000)
        XCTAssertEqual(Preconditions.evaluate(head([("if-none-match", validators.etag)]), validators: validators), .notModified)
        XCTAssertEqual(Preconditions.evaluate(head([("if-none-match", "W/\(validators.etag)")]), validators: validators), .notModified)
        XCTAssertEqual(Preconditions.evaluate(head([("if-modified-since", date)]), validators: validators), .notModified)
        // If-None-Match takes precedence over If-Modified-Since.
        XCTAssertEqual(Preconditions.evaluate(head([("if-none-match", "\"other\""), ("if-modified-since", date)]), validators: validators),
                       .proceed(honourRange: true))
        XCTAssertEqual(Preconditions.evaluate(head([("if-match", "\"other\"")]), validators: validators), .failed)
        XCTAssertEqual(Preconditions.evaluate(head([("if-range", validators.etag)]), validators: validators), .proceed(honourRange: true))
        XCTAssertEqual(Preconditions.evaluate(head([("if-range", "\"old\"")]), validators: validators), .proceed(honourRange: false))
        XCTAssertEqual(Preconditions.evaluate(head([("if-range", date)]), validators: validators), .proceed(honourRange: true))
        XCTAssertEqual(HTTPDate.parse("Sunday, 06-Nov-94 08:49:37 GMT"), HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT"))
        XCTAssertEqual(HTTPDate.parse("Sun Nov  6 08:49:37 1994"), 784_111_777)
    }

    func testTraversalInEveryEncodingIsRefused() {
        let hostile = ["/media/../Package.swift", "/media/%2e%2e/Package.swift", "/media/%2E%2E/x", "/media/a%2f..%2fb",
                       "/media/..%5c..%5cetc", "/media/a\\..\\b", "/media/a%00.m4s", "/media/%zz", "/media/.",
                       "/manifests/%2e%2e%2fPackage.swift", "media/x", "/media/a%0a"]
        for target in hostile {
            XCTAssertTrue([.invalid, .notFound].contains(RequestTarget(target)), target)
        }
        XCTAssertEqual(RequestTarget("/media/sample/240p/1.m4s?x=1"), file(["Media", "sample", "240p", "1.m4s"]))
        XCTAssertEqual(RequestTarget("//manifests//sample.mpd"), file(["Manifests", "sample.mpd"]))
        XCTAssertEqual(RequestTarget("http://edge:8081/Media/a%20b/1.m4s"), file(["Media", "a b", "1.m4s"]))
        XCTAssertEqual(RequestTarget("/etc/passwd"), .notFound)
        guard case .file(let path) = RequestTarget("/media/a%20b/1.m4s") else { return XCTFail("a file") }
        XCTAssertEqual(path.urlPath, "/Media/a%20b/1.m4s", "one cache key whatever case the folder was asked in")
        XCTAssertEqual(path.relativePath, "Media/a b/1.m4s")
    }

    func testMediaTypesAndCaching() {
        XCTAssertEqual(ContentPolicy.forPath("/manifests/s.mpd").contentType, "application/dash+xml")
        XCTAssertEqual(ContentPolicy.forPath("/manifests/s.mpd").cacheControl, "public, max-age=5")
        XCTAssertEqual(ContentPolicy.forPath("/media/s/720p/init.mp4").contentType, "video/mp4")
        XCTAssertEqual(ContentPolicy.forPath("/media/s/audio-eng/init.m4a").contentType, "audio/mp4")
        XCTAssertEqual(ContentPolicy.forPath("/media/s/audio/init.mp4").contentType, "video/mp4",
                       "the file name says what it is, not the folder")
        XCTAssertEqual(ContentPolicy.forPath("/media/s/720p/3.m4s").contentType, "video/iso.segment")
        XCTAssertEqual(ContentPolicy.forPath("/Manifests/s.m3u8").contentType, "application/vnd.apple.mpegurl")
        XCTAssertEqual(ContentPolicy.forPath("/Media/s/240p/playlist.m3u8").freshFor, ContentPolicy.manifestLifetime)
        XCTAssertEqual(ContentPolicy.forPath("/Media/s/text-eng/subtitles.vtt").contentType, "text/vtt; charset=utf-8")
        XCTAssertTrue(ContentPolicy.forPath("/media/s/720p/3.m4s").cacheControl.contains("immutable"))
    }

    func testLRUEvictsLeastRecentlyUsedFirst() {
        var lru = LRUIndex()
        for key in ["a", "b", "c"] { lru.insert(key, .init(size: 10, freshUntil: 0)) }
        _ = lru.touch("a")
        XCTAssertEqual(lru.evict(toFit: 20), ["b"])
        lru.insert("d", .init(size: 15, freshUntil: 0))
        XCTAssertEqual(lru.evict(toFit: 20, keep: "d"), ["c", "a"])
        XCTAssertEqual(lru.totalBytes, 15)
    }

    func testPacerHoldsTheRateWithoutBurstCredit() throws {
        var pacer = try XCTUnwrap(LinkPacer(LinkSpec(rateBitsPerSecond: 8_000_000), trace: nil))
        XCTAssertEqual(pacer.send(bytes: 1_000_000, at: 0), 1.0, accuracy: 1e-9)
        XCTAssertEqual(pacer.send(bytes: 500_000, at: 0.2), 1.5, accuracy: 1e-9)
        // Idle for ten seconds earns nothing: the next megabyte still takes a second.
        XCTAssertEqual(pacer.send(bytes: 1_000_000, at: 11.5), 12.5, accuracy: 1e-9)
        XCTAssertNil(LinkPacer(LinkSpec(delay: 0.05), trace: nil))
    }

    private func file(_ components: [String]) -> RequestTarget { .file(ContentPath(components: components)!) }
}

private extension ContentPolicy {
    static func forPath(_ path: String) -> ContentPolicy { .of(ContentKind(fileName: path)) }
}
