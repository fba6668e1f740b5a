@testable import Edge
import HTTPCore
import NIOCore
import NIOEmbedded
import XCTest

/// The connection's stages on an `EmbeddedChannel` with a manual clock: pipelining order, read
/// backpressure, and the header, idle and send timeouts, with no sockets and no sleeping.
final class ConnectionStageTests: XCTestCase {
    private let idle = TimeAmount.seconds(60)
    private let header = TimeAmount.seconds(10)
    private let send = TimeAmount.seconds(30)

    /// Stands in for the responder: records what reaches it and answers when told.
    private final class RecordingResponder: ChannelInboundHandler {
        typealias InboundIn = RequestEvent
        var events: [RequestEvent] = []
        var targets: [String] { events.compactMap { if case .head(let head) = $0 { head.target } else { nil } } }
        func channelRead(context: ChannelHandlerContext, data: NIOAny) { events.append(unwrapInboundIn(data)) }
    }

    /// Counts the reads that reach the socket.
    private final class SocketReads: ChannelOutboundHandler {
        typealias OutboundIn = IOData
        var count = 0
        func read(context: ChannelHandlerContext) {
            count += 1
            context.read()
        }
    }

    private struct Stages {
        let channel: EmbeddedChannel
        let loop: EmbeddedEventLoop
        let responder: RecordingResponder
        let reads: SocketReads

        func receive(_ text: String) throws {
            try channel.writeInbound(ByteBuffer(string: text))
        }

        /// What the channel does after each read completes with autoRead on.
        func read() { channel.read() }

        func completeResponse(close: Bool = false) {
            channel.pipeline.triggerUserOutboundEvent(ResponseComplete(close: close), promise: nil)
            loop.run()
        }
    }

    private func makeStages(maxHeadBytes: Int = 32768) throws -> Stages {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(loop: loop)
        let responder = RecordingResponder()
        let reads = SocketReads()
        var parser = RequestHeadParser()
        parser.maxHeadBytes = maxHeadBytes
        try channel.pipeline.syncOperations.addHandlers([
            reads,
            WriteTimeoutHandler(timeout: send),
            HTTPRequestDecoder(parser: parser),
            HTTPPipeliningHandler(idleTimeout: idle, headerTimeout: header),
            responder,
        ])
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        let stages = Stages(channel: channel, loop: loop, responder: responder, reads: reads)
        stages.read()
        return stages
    }

    private func request(_ target: String) -> String { "GET \(target) HTTP/1.1\r\nHost: edge\r\n\r\n" }

    func testPipelinedRequestsReachTheResponderOneAtATimeInOrder() throws {
        let stages = try makeStages()
        try stages.receive(request("/a") + request("/b") + request("/c"))
        XCTAssertEqual(stages.responder.targets, ["/a"], "the next waits for the first response")
        stages.read()
        XCTAssertEqual(stages.responder.targets, ["/a"], "a read while responding asks for nothing")
        stages.completeResponse()
        XCTAssertEqual(stages.responder.targets, ["/a", "/b"])
        stages.completeResponse()
        stages.completeResponse()
        XCTAssertEqual(stages.responder.targets, ["/a", "/b", "/c"])
        XCTAssertTrue(stages.channel.isActive)
    }

    func testTheSocketIsNotReadWhileAResponseIsUnderWay() throws {
        let stages = try makeStages()
        let before = stages.reads.count
        try stages.receive(request("/a"))
        stages.read()
        stages.read()
        XCTAssertEqual(stages.reads.count, before, "no reads reach the socket while /a is answered")
        stages.completeResponse()
        XCTAssertEqual(stages.reads.count, before + 1, "the next request is asked for once /a is out")
    }

    func testAFullSocketHoldsTheNextRequestUntilItDrains() throws {
        let stages = try makeStages()
        try stages.receive(request("/a") + request("/b"))
        stages.channel.isWritable = false
        stages.channel.pipeline.fireChannelWritabilityChanged()
        stages.completeResponse()
        XCTAssertEqual(stages.responder.targets, ["/a"], "the client has not read /a yet")
        stages.channel.isWritable = true
        stages.channel.pipeline.fireChannelWritabilityChanged()
        XCTAssertEqual(stages.responder.targets, ["/a", "/b"])
    }

    func testUnparsedBytesBeyondTheLimitStopSocketReads() throws {
        let stages = try makeStages(maxHeadBytes: 1024)
        try stages.receive(request("/a") + String(repeating: request("/next"), count: 100))
        stages.completeResponse()
        let before = stages.reads.count
        stages.read()
        XCTAssertEqual(stages.reads.count, before, "over 2 KiB of requests wait: nothing more is read")
    }

    func testAHeadThatStopsHalfWayIsAnswered408AfterTheHeaderTimeout() throws {
        let stages = try makeStages()
        try stages.receive("GET /a HTTP/1.1\r\nHo")
        XCTAssertEqual(stages.responder.events, [])
        stages.loop.advanceTime(by: header - .milliseconds(1))
        XCTAssertEqual(stages.responder.events, [])
        stages.loop.advanceTime(by: .milliseconds(1))
        XCTAssertEqual(stages.responder.events, [.refused(.requestTimeout)])
        stages.completeResponse(close: true)
        XCTAssertFalse(stages.channel.isActive)
    }

    func testAnIdleConnectionClosesAfterTheIdleTimeoutCountedFromTheLastResponse() throws {
        let stages = try makeStages()
        stages.loop.advanceTime(by: .seconds(50))
        try stages.receive(request("/a"))
        stages.loop.advanceTime(by: .seconds(100))
        XCTAssertTrue(stages.channel.isActive, "no idle timeout while a response is under way")
        stages.completeResponse()
        stages.loop.advanceTime(by: idle - .seconds(1))
        XCTAssertTrue(stages.channel.isActive)
        stages.loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(stages.channel.isActive)
    }

    func testAMalformedHeadIsRefusedAndNothingAfterItIsRead() throws {
        let stages = try makeStages()
        try stages.receive("NOT HTTP\r\n\r\n" + request("/a"))
        XCTAssertEqual(stages.responder.events.count, 1)
        guard case .refused = stages.responder.events.first else { return XCTFail("refused expected") }
        try stages.receive(request("/b"))
        XCTAssertEqual(stages.responder.events.count, 1)
    }

    func testAClientThatStopsReadingIsClosedAfterTheSendTimeout() throws {
        let stages = try makeStages()
        try stages.receive(request("/a"))
        stages.channel.isWritable = false
        stages.channel.pipeline.fireChannelWritabilityChanged()
        stages.loop.advanceTime(by: send - .seconds(1))
        XCTAssertTrue(stages.channel.isActive)
        // Progress restarts the period.
        stages.channel.pipeline.fireChannelWritabilityChanged()
        stages.loop.advanceTime(by: send - .seconds(1))
        XCTAssertTrue(stages.channel.isActive)
        stages.loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(stages.channel.isActive)
    }

    func testASlowButMovingClientIsNotCut() throws {
        let stages = try makeStages()
        try stages.receive(request("/a"))
        for _ in 0..<10 {
            stages.channel.isWritable = false
            stages.channel.pipeline.fireChannelWritabilityChanged()
            stages.loop.advanceTime(by: send - .seconds(1))
            stages.channel.isWritable = true
            stages.channel.pipeline.fireChannelWritabilityChanged()
        }
        XCTAssertTrue(stages.channel.isActive, "each drain is progress")
    }

    func testAWriteThatNeverCompletesClosesTheConnectionAfterTheSendTimeout() throws {
        let stages = try makeStages()
        try stages.receive(request("/a"))
        // A body slice handed to the socket and never taken (written, not flushed, on the
        // embedded channel): the socket stays writable, the write stays pending.
        let slice = stages.channel.eventLoop.makePromise(of: Void.self)
        stages.channel.write(IOData.byteBuffer(ByteBuffer(string: "slice")), promise: slice)
        stages.loop.advanceTime(by: send - .seconds(1))
        XCTAssertTrue(stages.channel.isActive)
        stages.loop.advanceTime(by: .seconds(1))
        XCTAssertFalse(stages.channel.isActive, "no progress for the send timeout")
    }
}
