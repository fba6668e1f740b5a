import CDN
import ContentLayout
import Edge
import Foundation
import NIOCore
import NIOPosix
@testable import Player
import TestSupport
import XCTest

/// A segment whose transfer breaks off is finished by another server from where it stopped.
final class ResumeTests: XCTestCase {
    /// Sends a response head announcing the whole file (with the origin's ETag) and the first
    /// `cut` bytes of its body, then ends the stream: an edge that dies mid-body.
    private final class BreakingServer: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let body: Data
        let etag: String
        let cut: Int

        init(body: Data, etag: String, cut: Int) {
            (self.body, self.etag, self.cut) = (body, etag, cut)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var out = ByteBuffer(string: "HTTP/1.1 200 OK\r\nContent-Length: \(body.count)\r\nETag: \(etag)\r\n\r\n")
            out.writeBytes(body.prefix(cut))
            // Half-closed, so that every byte sent arrives before the end of the stream does.
            context.writeAndFlush(wrapOutboundOut(out)).assumeIsolated().whenComplete { _ in
                context.close(mode: .output, promise: nil)
            }
        }
    }

    func testABodyCutShortIsFinishedByAnotherServerWithARangeAndTheBytesAreTheOriginals() async throws {
        let root = try EncodedLadder.root()
        let origin = try PlaybackCDN.plainOrigin(root: root)
        defer { origin.stop() }
        let path = "\(ContentLayout.titleFolder(EncodedLadder.title))/180p-1000k/3.m4s"
        let file = try Data(contentsOf: root.appendingPathComponent(path))
        let originURL = URL(string: "http://127.0.0.1:\(origin.port)/\(path)")!
        let etag = try XCTUnwrap(try curl(originURL.absoluteString, ["-I"]).headers["etag"])
        let cut = file.count / 3
        let broken = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(BreakingServer(body: file, etag: etag, cut: cut))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        defer { try? broken.close().wait() }
        let fetcher = HTTPFetcher(sourceAddress: nil)
        defer { Task { await fetcher.shutdown() } }

        var partial: PartialBody?
        do {
            _ = try await fetcher.get(URL(string: "http://127.0.0.1:\(broken.localAddress!.port!)/\(path)")!, keepBody: true)
            XCTFail("the cut body must fail")
        } catch let error as FetchError {
            partial = error.partial
        }
        // AsyncHTTPClient may drop the last chunks it held when the stream fails: what reached
        // the player is kept, and the rest asked for.
        XCTAssertTrue((1...cut).contains(partial?.bytes ?? 0), "what arrived is kept: \(partial?.bytes ?? 0) of \(cut)")
        let resumed = try await fetcher.get(originURL, keepBody: true, resume: partial)
        XCTAssertEqual(resumed.status, 206, "only the rest was asked for")
        XCTAssertEqual(resumed.bytes, file.count)
        XCTAssertEqual(resumed.body, file, "the joined body is the origin's file, byte for byte")

        // Another object under the same name: If-Range makes the server send it whole.
        var stale = try XCTUnwrap(partial)
        stale.validator = "\"not-the-same\""
        let whole = try await fetcher.get(originURL, keepBody: true, resume: stale)
        XCTAssertEqual(whole.status, 200)
        XCTAssertEqual(whole.body, file)
    }

    func testAnEdgeKilledMidSegmentIsResumedOnTheNextWithoutAStall() async throws {
        // Slow links, so that every segment is on the wire for a while when the edge goes.
        let cdn = try PlaybackCDN(name: "resume") { _ in ", link: {rate_mbps: 0.6}" }
        defer { cdn.stop() }
        let probe = SessionProbe()
        let report = try await probe.play(cdn.cdnURL, PlaySettings(mode: cdn.dnsMode, sourceAddress: "127.0.20.5", maxBuffer: 30)) { record in
            if record.segment == 3 {
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { cdn.kill(1) }
            }
        }
        XCTAssertEqual(report.records.map(\.segment), Array(1...EncodedLadder.segments), "every segment played")
        XCTAssertEqual(report.records.first?.edge, "edge-chi")
        let resumes = probe.log.filter { $0.contains("resuming at byte") }
        XCTAssertFalse(resumes.isEmpty, "a segment was cut mid-body and resumed: \(probe.log)")
        XCTAssertTrue(report.records.dropFirst().allSatisfy { $0.stall <= 1 }, "stalls: \(report.records.map(\.stall))")
        let partials = TestTopology.edgeNames.filter { $0 != "edge-chi" }.compactMap { name -> Int? in
            guard let node = cdn.cdn.edge(named: name) else { return nil }
            return metric(node, "dashcdn_http_requests_total{status=\"206\"}")
        }
        XCTAssertGreaterThanOrEqual(partials.reduce(0, +), 1, "the rest came as a 206 from the next edge")
        let folders = ["90p", "180p-350k", "180p-1000k"]  // the ladder's representations, lowest first
        for record in report.records {
            let file = try EncodedLadder.root().appendingPathComponent(
                "\(ContentLayout.titleFolder(EncodedLadder.title))/\(folders[record.level])/\(record.segment).m4s")
            let size = try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int
            XCTAssertEqual(record.bytes, size, "segment \(record.segment): every byte, counted once")
        }
    }

    func testEveryRequestCarriesCMCDInEachModeAndTheEdgeLogsIt() async throws {
        let folder = try Paths.temporaryFolder("cmcd-play")
        let log = folder.appendingPathComponent("access.jsonl")
        let cdn = try PlaybackCDN(name: "cmcd-play", limits: "{access_log: \(log.path), access_log_format: json}")
        defer { cdn.stop() }
        for mode in [CMCDMode.query, .header] {
            var settings = PlaySettings(maxBuffer: 30)
            settings.cmcd = mode
            _ = try await SessionProbe().play(cdn.edgeURL(0), settings)
        }
        for node in TestTopology.edgeNames.compactMap(cdn.cdn.edge(named:)) { node.server.context.accessLog.flush() }
        let lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n").compactMap {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        // The origin logs to the same file (its requests come from the edge), and the
        // redirector's health checks reach the edge too.
        let fromPlayer = lines.filter {
            $0["server"] as? String == "edge-nyc" && ($0["target"] as? String)?.hasPrefix("/healthz") == false
        }
        XCTAssertFalse(fromPlayer.isEmpty)
        let withCMCD = fromPlayer.compactMap { $0["cmcd"] as? [String: Any] }
        XCTAssertEqual(withCMCD.count, fromPlayer.count, "every request of the player carries CMCD")
        XCTAssertEqual(Set(withCMCD.compactMap { $0["sid"] as? String }).count, 2, "one session id per session")
        XCTAssertEqual(Set(withCMCD.compactMap { $0["ot"] as? String }), ["m", "i", "v", "a"])
        XCTAssertTrue(fromPlayer.contains { ($0["target"] as? String)?.contains("CMCD=") == true }, "query mode")
        XCTAssertTrue(fromPlayer.contains { ($0["target"] as? String)?.contains("CMCD=") == false && $0["cmcd"] != nil }, "header mode")
        let video = withCMCD.filter { $0["ot"] as? String == "v" }
        XCTAssertTrue(video.allSatisfy { $0["br"] != nil && $0["d"] as? Int == 2000 && $0["tb"] != nil && $0["sf"] as? String == "d" }, "\(video.prefix(2))")
        XCTAssertTrue(video.contains { $0["nor"] as? String == "2.m4s" }, "the next segment is named")
        XCTAssertTrue(video.contains { $0["su"] as? Bool == true }, "start-up is flagged")
        XCTAssertTrue(video.contains { ($0["bl"] as? Int ?? 0) > 0 && $0["mtp"] != nil }, "buffer and throughput reported")
    }

    private func metric(_ node: CDNNode, _ name: String) -> Int {
        let text = node.status.metrics.prometheusText()
        let line = text.split(separator: "\n").first { $0.hasPrefix(name + " ") }
        return line.flatMap { Int(Double($0.split(separator: " ").last ?? "") ?? 0) } ?? 0
    }
}
