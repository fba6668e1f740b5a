import CMCD
import Addressing
import NIOConcurrencyHelpers
import NIOCore
import ServerSupport
import Topology
#if canImport(Glibc)
import Glibc
#endif

/// Answers the requests the stages below hand it, one at a time: asks the router, writes the
/// head and the body (from memory, with sendfile from disk, or as it arrives from upstream),
/// paces bodies when the client's link is emulated, tells the observers, and signals the end of
/// each response with `ResponseComplete`.
final class HTTPResponder: ChannelInboundHandler {
    typealias InboundIn = RequestEvent
    typealias OutboundOut = IOData

    private let server: ServerContext
    private var context: ChannelHandlerContext!
    private var open = true
    /// Body slices handed to the channel, and those whose write has completed.
    private var slicesStarted = 0
    private var slicesDone = 0
    private var link = LinkSpec()
    private var pacer: LinkPacer?
    private var client = "-"
    private var zone: String?
    private var openedAt = NIODeadline.now()
    private var delivery = DeliveryEstimate()

    /// Largest slice written at once to an unpaced client.
    private static let sliceBytes: Int64 = 1 << 20
    /// Bodies up to this size, when in memory, are written without waiting for the write.
    private static let promptBytes: Int64 = 64 * 1024
    private static let shrinkCheckInterval = TimeAmount.milliseconds(200)

    /// Responders in memory right now, for the test that proves connections are let go of.
    static let alive = NIOLockedValueBox(0)

    init(server: ServerContext) {
        self.server = server
        Self.alive.withLockedValue { $0 += 1 }
    }

    deinit { Self.alive.withLockedValue { $0 -= 1 } }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        openedAt = context.eventLoop.now
    }

    /// The context holds this handler and pending callbacks hold it back: letting go of the
    /// context here breaks that cycle. Callbacks still to come find `open` false.
    func handlerRemoved(context: ChannelHandlerContext) {
        open = false
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        let remote = context.channel.remoteAddress
        client = remote?.ipAddress ?? "-"
        link = server.links.link(for: IPAddress(remote))
        zone = server.links.zoneName(for: IPAddress(remote))
        pacer = server.links.pacer(for: link)
        delivery.linkBitsPerSecond = link.rateBitsPerSecond
        delivery.linkDelay = link.delay
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        open = false
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        // A reset or broken pipe from the client: nothing to answer, just let go.
        context.close(promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let started = context.eventLoop.now
        switch unwrapInboundIn(data) {
        case .partialHead:
            break
        case .refused(let status):
            let reason = status == .requestTimeout ? "The request head took too long to arrive." : "The request head was refused."
            send(Response(plan: .error(status, reason), close: true), for: nil, started: started)
        case .head(let head):
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
        var headBytes = context.channel.allocator.buffer(capacity: 512)
        ResponseHeadEncoder.encode(response, close: close, http10KeepAlive: head.map { $0.minorVersion == 0 && !close } ?? false,
                                   serverData: response.source == nil ? nil : serverData(), into: &headBytes)
        if link.delay > 0 {
            context.eventLoop.assumeIsolated().scheduleTask(in: .fromSeconds(link.delay)) { [self] in
                write(response, head: headBytes, for: head, started: started, close: close)
            }
        } else {
            write(response, head: headBytes, for: head, started: started, close: close)
        }
    }

    private func write(_ response: Response, head headBytes: ByteBuffer, for head: RequestHead?, started: NIODeadline, close: Bool) {
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
        let bodyStarted = context.eventLoop.now
        let done: (Int64, Bool) -> Void = { [self] bodyBytes, ok in
            if corked { cork(false) }
            if ok, let now = context?.eventLoop.now { delivery.bodySent(bytes: bodyBytes, seconds: (now - bodyStarted).inSeconds) }
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
        guard let (body, length) = slice(of: piece, from: position, until: end) else {
            // Cut short on disk since it was opened: what was promised cannot be sent.
            return done(sent, false)
        }
        let promise = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(body), promise: promise)
        slicesStarted += 1
        if case .fileRegion(let region) = body, slicesDone < slicesStarted {
            watchForShrinking(region, slice: slicesStarted)
        }
        promise.futureResult.assumeIsolated().whenComplete { [self] result in
            slicesDone += 1
            if case .fileRegion(let region) = body { try? region.fileHandle.close() }
            guard case .success = result else { return done(sent, false) }
            server.metrics.sent(bytes: length)
            let next = { [self] in sendSlices(source, from: position + length, until: end, sent: sent + length, done: done) }
            guard var pacer, open else { return next() }
            let now = (context.eventLoop.now - openedAt).inSeconds
            let freeAt = pacer.send(bytes: Int(length), at: now)
            self.pacer = pacer
            if freeAt > now {
                context.eventLoop.assumeIsolated().scheduleTask(in: .fromSeconds(freeAt - now)) { next() }
            } else {
                next()
            }
        }
    }

    /// The next slice of at most one slice's (or one paced burst's) bytes; nil when the file on
    /// disk no longer holds them.
    private func slice(of piece: InFlightObject.Piece, from position: Int64, until end: Int64) -> (IOData, Int64)? {
        let cap = pacer.map { Int64($0.sliceBytes) } ?? Self.sliceBytes
        switch piece {
        case .memory(let bytes):
            let length = min(end - position, cap, Int64(bytes.readableBytes))
            return (.byteBuffer(bytes.getSlice(at: bytes.readerIndex, length: Int(length))!), length)
        case .file(let file, let stored):
            let length = min(end, stored, position + cap) - position
            if let contents = file.contents, let slice = contents.getSlice(at: Int(position), length: Int(length)) {
                return (.byteBuffer(slice), length)
            }
            return file.region(from: position, length: length).map { (.fileRegion($0), length) }
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

    private func finish(_ response: Response, head: RequestHead?, started: NIODeadline, bytes: Int64, close: Bool) {
        let record = RequestRecord(client: client, head: head, status: response.plan.status, bytesSent: bytes,
                                   seconds: ((context?.eventLoop.now ?? .now()) - started).inSeconds,
                                   cacheStatus: response.cacheStatus, zone: zone,
                                   cmcd: head.flatMap { CMCDData(target: $0.target, headers: $0.headers) })
        for observer in server.observers { observer.requestFinished(record) }
        guard open else { return }
        context.triggerUserOutboundEvent(ResponseComplete(close: close), promise: nil)
    }

    /// This server's CMSD-Dynamic entry, with the kernel's TCP view read at most once a second.
    private func serverData() -> CMSDDynamic? {
        let now = (context.eventLoop.now - openedAt).inSeconds
        if delivery.needsTCPReading(at: now), let socket = context.channel as? SocketOptionProvider {
            // On the channel's own loop the reading completes at once, before the head is written.
            socket.getTCPInfo().assumeIsolated().whenSuccess { [self] info in
                delivery.tcpReading(rttMicroseconds: info.tcpi_rtt, at: now)
            }
        }
        return delivery.serverData(server: server.name)
    }

    // MARK: framing

    private static let corkOption = ChannelOptions.tcpOption(NIOBSDSocket.Option(rawValue: CInt(TCP_CORK)))

    /// Holds partial packets back while a body is being written; releasing it sends what is left.
    private func cork(_ on: Bool) {
        guard open else { return }
        try? context.channel.syncOptions?.setOption(Self.corkOption, value: on ? 1 : 0)
    }
}
