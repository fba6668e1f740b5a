import NIOConcurrencyHelpers
import NIOCore
import Topology

/// One client connection: reads request heads, answers them one at a time (pipelined requests
/// wait in the buffer), sends bodies from files with sendfile, paces them when the client's link
/// is emulated, and enforces the header, idle and send timeouts.
///
/// What one client can make it hold is bounded: it stops reading while unparsed requests fill
/// `pipelineBytes` or while the socket is not writable (responses the client has not read), and
/// answers the next pipelined request only once the socket takes writes again. A client that
/// pipelines and never reads therefore costs one socket buffer, not a queue of responses.
final class HTTPConnectionHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let server: ServerContext
    private var context: ChannelHandlerContext!
    private var buffer: ByteBuffer?
    private var busy = false
    private var open = true
    private var headTimer: Scheduled<Void>?
    private var idleTimeout: RestartableTimeout?
    private var sendTimeout: RestartableTimeout?
    /// A read the pipeline asked for, held back while the client must catch up.
    private var readHeld = false
    /// The next pipelined request waits for the socket to take writes again.
    private var waitingForWritable = false
    /// Body slices handed to the channel, and those whose write has completed.
    private var slicesStarted = 0
    private var slicesDone = 0
    private var link = LinkSpec()
    private var pacer: LinkPacer?
    private var client = "-"
    private let openedAt = NIODeadline.now()

    /// Largest slice written at once to an unpaced client; the send timeout runs per slice.
    private static let sliceBytes: Int64 = 1 << 20
    /// Bodies up to this size, when in memory, are written without waiting for the write.
    private static let promptBytes: Int64 = 64 * 1024
    /// Unparsed pipelined requests beyond this stop reading (a browser-sized request is ~0.5 KB).
    private var pipelineBytes: Int { server.parser.maxHeadBytes * 2 }

    /// Handlers in memory right now, for the test that proves connections are let go of (a
    /// retain cycle once kept every one for good).
    static let alive = NIOLockedValueBox(0)

    init(server: ServerContext) {
        self.server = server
        Self.alive.withLockedValue { $0 += 1 }
    }

    deinit { Self.alive.withLockedValue { $0 -= 1 } }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        idleTimeout = RestartableTimeout(on: context.eventLoop, after: server.limits.idleTimeout) { [self] in
            // A request in progress restarts the period when it finishes.
            if open, !busy, buffer == nil { context.close(promise: nil) }
        }
        sendTimeout = RestartableTimeout(on: context.eventLoop, after: server.limits.sendTimeout) {
            // The client stopped reading: give up on it.
            context.close(promise: nil)
        }
    }

    func channelActive(context: ChannelHandlerContext) {
        let remote = context.channel.remoteAddress
        client = remote?.ipAddress ?? "-"
        link = server.links.link(for: IPAddress(remote))
        pacer = server.links.pacer(for: link)
        idleTimeout?.restart()
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        open = false
        cancelTimers()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset or broken pipe from the client: nothing to answer, just let go.
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        if !busy && !waitingForWritable { processBuffer() }
    }

    // MARK: backpressure

    func read(context: ChannelHandlerContext) {
        if mustPause { readHeld = true } else { context.read() }
    }

    private var mustPause: Bool {
        (buffer?.readableBytes ?? 0) >= pipelineBytes || !context.channel.isWritable
    }

    /// Asks for the read held back, once the client has caught up.
    private func resumeReading() {
        guard open, readHeld, !mustPause else { return }
        readHeld = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if waitingForWritable {
                waitingForWritable = false
                sendTimeout?.stop()
                processBuffer()
            }
            resumeReading()
        }
        context.fireChannelWritabilityChanged()
    }

    // MARK: requests

    private func processBuffer() {
        guard open, !busy, !waitingForWritable, var pending = buffer, pending.readableBytes > 0 else { return }
        let outcome = pending.withUnsafeReadableBytes { server.parser.parse($0) }
        switch outcome {
        case .incomplete:
            if headTimer == nil { armHeadTimer() }
        case .reject(let status):
            cancelTimers()
            busy = true
            buffer = nil
            send(Response(plan: .error(status, "The request head was refused."), close: true), for: nil, started: .now())
        case .complete(let head, let consumed):
            headTimer?.cancel()
            headTimer = nil
            pending.moveReaderIndex(forwardBy: consumed)
            buffer = pending.readableBytes > 0 ? pending : nil
            busy = true
            resumeReading()
            let started = NIODeadline.now()
            switch server.router.respond(to: head, on: context.eventLoop) {
            case .now(let response):
                send(response, for: head, started: started)
            case .later(let response):
                response.hop(to: context.eventLoop).assumeIsolated().whenComplete { [self] result in
                    switch result {
                    case .success(let response): send(response, for: head, started: started)
                    case .failure: send(Response(plan: .error(.internalServerError, "Unexpected failure."), close: true),
                                        for: head, started: started)
                    }
                }
            }
        }
    }

    private func send(_ response: Response, for head: RequestHead?, started: NIODeadline) {
        guard open else { return }
        let close = response.close || !(head?.keepAlive ?? false)
        let headBytes = encodeHead(response, close: close, http10KeepAlive: head.map { $0.minorVersion == 0 && !close } ?? false)
        let write = { [self] in
            guard open else { return }
            let headLength = Int64(headBytes.readableBytes)
            if pacer == nil, case .slice(let offset, let length) = response.plan.body, length <= Self.promptBytes,
               case .file(let file)? = response.source, let slice = file.contents?.getSlice(at: Int(offset), length: Int(length)) {
                // A small body in memory is copied behind its head: one write, which all but
                // always completes at once, so there is no promise to wait on.
                var single = headBytes
                var body = slice
                single.writeBuffer(&body)
                context.writeAndFlush(wrapOutboundOut(.byteBuffer(single)), promise: nil)
                server.metrics.sent(bytes: length)
                return finish(response, head: head, started: started, bytes: headLength + length, close: close)
            }
            // nginx's tcp_nopush: the head and a body sent with sendfile leave in full packets.
            // With TCP_NODELAY alone the head is a packet of its own and sendfile's pieces leave
            // a few pages at a time, and the client pays a wake-up and a read for every one. A
            // body in memory needs none of it: NIO gathers head and body into one writev.
            let corked = pacer == nil && response.plan.body != .none && response.source?.inMemory == false
            if corked { cork(true) }
            context.write(wrapOutboundOut(.byteBuffer(headBytes)), promise: nil)
            let done: (Int64, Bool) -> Void = { [self] bodyBytes, ok in
                if corked { cork(false) }
                finish(response, head: head, started: started, bytes: headLength + bodyBytes, close: close || !ok)
            }
            switch (response.plan.body, response.source) {
            case (.slice(let offset, let length), .some(let source)) where length > 0:
                sendSlices(source, from: offset, until: offset + length, sent: 0, done: done)
            case (.text(let text), _):
                context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer(string: text))), promise: nil)
                done(Int64(text.utf8.count), true)
            default:
                context.flush()
                done(0, true)
            }
        }
        if link.delay > 0 {
            context.eventLoop.assumeIsolated().scheduleTask(in: .fromSeconds(link.delay)) { write() }
        } else {
            write()
        }
    }

    /// Writes `position..<end` of the source, slice by slice: each slice waits for bytes still
    /// arriving from upstream, for the emulated link, and for the previous slice's write.
    private func sendSlices(_ source: Content.Source, from position: Int64, until end: Int64, sent: Int64,
                            done: @escaping (Int64, Bool) -> Void) {
        guard open else { return done(sent, false) }
        if position >= end { return done(sent, true) }
        switch source {
        case .file(let file):
            // On disk already: no future to wait on.
            writeSlice(.file(file, end: file.size), source: source, from: position, until: end, sent: sent, done: done)
        case .arriving(let object):
            object.waitForBytes(beyond: position, on: context.eventLoop).assumeIsolated().whenComplete { [self] result in
                guard open, case .success = result, let piece = object.piece(at: position) else {
                    // Upstream failed mid-body: the client sees a short body and a closed connection.
                    return done(sent, false)
                }
                writeSlice(piece, source: source, from: position, until: end, sent: sent, done: done)
            }
        }
    }

    /// Writes the next slice from where its bytes are, then goes on with the rest.
    private func writeSlice(_ piece: InFlightObject.Piece, source: Content.Source, from position: Int64,
                            until end: Int64, sent: Int64, done: @escaping (Int64, Bool) -> Void) {
        let cap = pacer.map { Int64($0.sliceBytes) } ?? Self.sliceBytes
        let body: IOData
        let length: Int64
        switch piece {
        case .memory(let bytes):
            length = min(end - position, cap, Int64(bytes.readableBytes))
            body = .byteBuffer(bytes.getSlice(at: bytes.readerIndex, length: Int(length))!)
        case .file(let file, let stored):
            length = min(end, stored, position + cap) - position
            if let contents = file.contents, let slice = contents.getSlice(at: Int(position), length: Int(length)) {
                body = .byteBuffer(slice)
            } else if let region = file.region(from: position, length: length) {
                body = .fileRegion(region)
            } else {
                // Cut short on disk since it was opened: what was promised cannot be sent.
                return done(sent, false)
            }
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        sendTimeout?.restart()  // per slice
        context.writeAndFlush(wrapOutboundOut(body), promise: promise)
        slicesStarted += 1
        if case .fileRegion(let region) = body, slicesDone < slicesStarted {
            watchForShrinking(region, slice: slicesStarted)
        }
        promise.futureResult.assumeIsolated().whenComplete { [self] result in
            slicesDone += 1
            if case .fileRegion(let region) = body { try? region.fileHandle.close() }
            sendTimeout?.stop()
            guard case .success = result else { return done(sent, false) }
            server.metrics.sent(bytes: length)
            let next = { [self] in sendSlices(source, from: position + length, until: end, sent: sent + length, done: done) }
            guard var pacer else { return next() }
            let now = (NIODeadline.now() - openedAt).inSeconds
            let freeAt = pacer.send(bytes: Int(length), at: now)
            self.pacer = pacer
            if freeAt > now {
                context.eventLoop.assumeIsolated().scheduleTask(in: .fromSeconds(freeAt - now)) { next() }
            } else {
                next()
            }
        }
    }

    /// sendfile() finds nothing to send past a file's end and the write would be retried at full
    /// speed until the send timeout: while a slice is pending, a file cut short under it (an
    /// operator copying over a segment) closes the connection instead.
    private func watchForShrinking(_ region: FileRegion, slice: Int) {
        context.eventLoop.assumeIsolated().scheduleTask(in: Self.shrinkCheckInterval) { [self] in
            guard open, slicesDone < slice else { return }
            let size = (try? region.fileHandle.withUnsafeFileDescriptor { OpenFile.size(of: $0) }) ?? nil
            if let size, size < Int64(region.endIndex) {
                open = false
                context.close(promise: nil)
            } else {
                watchForShrinking(region, slice: slice)
            }
        }
    }

    private static let shrinkCheckInterval = TimeAmount.milliseconds(200)

    private func finish(_ response: Response, head: RequestHead?, started: NIODeadline, bytes: Int64, close: Bool) {
        let seconds = (NIODeadline.now() - started).inSeconds
        server.metrics.request(status: response.plan.status.code, bytesSent: bytes, seconds: seconds)
        if let status = response.cacheStatus, response.plan.status.code < 400 {
            server.metrics.cache(hit: status == "HIT")
        }
        server.accessLog.record(client: client, method: head?.method ?? "-", target: head?.target ?? "-",
                                minorVersion: head?.minorVersion ?? 1, status: response.plan.status.code, bytes: bytes,
                                seconds: seconds, cacheStatus: response.cacheStatus, userAgent: head?["user-agent"])
        busy = false
        guard open else { return }
        if close {
            open = false
            context.close(promise: nil)
            return
        }
        idleTimeout?.restart()
        guard buffer != nil else { return }
        if !context.channel.isWritable {
            // Unread responses fill the socket: the next one waits, within the send timeout.
            waitingForWritable = true
            sendTimeout?.restart()
            return
        }
        // Pipelined requests continue on the next loop turn, so a long pipeline cannot deepen the stack.
        context.eventLoop.assumeIsolated().execute { [self] in processBuffer() }
    }

    // MARK: framing

    private static let corkOption = ChannelOptions.tcpOption(NIOBSDSocket.Option(rawValue: CInt(TCP_CORK)))

    /// Holds partial packets back while a body is being written; releasing it sends what is left.
    private func cork(_ on: Bool) {
        guard open else { return }
        try? context.channel.syncOptions?.setOption(Self.corkOption, value: on ? 1 : 0)
    }

    private func encodeHead(_ response: Response, close: Bool, http10KeepAlive: Bool) -> ByteBuffer {
        let plan = response.plan
        var out = context.channel.allocator.buffer(capacity: 512)
        out.writeString(plan.status.statusLine)
        out.writeStaticString("Server: dashcdn\r\nDate: ")
        out.writeString(HTTPDate.now())
        out.writeStaticString("\r\n")
        for header in plan.headers {
            out.writeString(header.name); out.writeStaticString(": "); out.writeString(header.value); out.writeStaticString("\r\n")
        }
        if let cache = response.cacheStatus { out.writeString("X-Cache: \(cache)\r\n") }
        if plan.contentLength >= 0 { out.writeString("Content-Length: \(plan.contentLength)\r\n") }
        if close { out.writeStaticString("Connection: close\r\n") } else if http10KeepAlive { out.writeStaticString("Connection: keep-alive\r\n") }
        out.writeStaticString("\r\n")
        return out
    }

    // MARK: timers

    private func armHeadTimer() {
        headTimer = context.eventLoop.assumeIsolated().scheduleTask(in: .fromSeconds(server.limits.headerTimeout)) { [self] in
            guard open, !busy else { return }
            busy = true
            buffer = nil
            send(Response(plan: .error(.requestTimeout, "The request head took too long to arrive."), close: true),
                 for: nil, started: .now())
        }
    }

    private func cancelTimers() {
        headTimer?.cancel(); idleTimeout?.cancel(); sendTimeout?.cancel()
        headTimer = nil
    }

    /// The context holds this handler and the timeouts' closures hold it back: letting go of
    /// both here breaks those cycles, or every connection's handler, context and timers would
    /// stay in memory for good. Callbacks still to come find `open` false and touch neither.
    func handlerRemoved(context: ChannelHandlerContext) {
        open = false
        cancelTimers()
        idleTimeout = nil
        sendTimeout = nil
        self.context = nil
    }
}

extension TimeAmount {
    public static func fromSeconds(_ value: Double) -> TimeAmount { .nanoseconds(Int64(value * 1e9)) }

    public var inSeconds: Double { Double(nanoseconds) / 1e9 }
}

#if canImport(Glibc)
import Glibc
#endif
