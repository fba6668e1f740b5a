import NIOCore

/// Bytes in, request heads out, one head per demand: a `read()` reaching this handler is the
/// next stage asking for the next request. A buffered head is handed over at once; otherwise
/// the socket is read, as long as fewer than `pipelineBytes` unparsed bytes wait here. What one
/// client can make it hold is therefore bounded by `pipelineBytes`, however much it pipelines.
final class HTTPRequestDecoder: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = RequestEvent
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let parser: RequestHeadParser
    private let pipelineBytes: Int
    private var buffer: ByteBuffer?
    /// The next stage asked for a request and has not had one yet.
    private var demand = false
    /// A socket read asked for while the buffer is full, made once it drains.
    private var readHeld = false
    /// `.partialHead` was sent for the bytes now waiting.
    private var announcedPartial = false
    /// After a refused request nothing more is parsed: the connection is closing.
    private var refused = false

    init(parser: RequestHeadParser) {
        self.parser = parser
        // A browser-sized request head is ~0.5 KB; two of the largest allowed heads fit.
        pipelineBytes = parser.maxHeadBytes * 2
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !refused else { return }
        var incoming = unwrapInboundIn(data)
        if buffer == nil { buffer = incoming } else { buffer!.writeBuffer(&incoming) }
        if demand { deliver(context: context) }
    }

    func read(context: ChannelHandlerContext) {
        demand = true
        deliver(context: context)
        if (buffer?.readableBytes ?? 0) < pipelineBytes { context.read() } else { readHeld = true }
    }

    /// Hands over the buffered head, if one is whole, or says that part of one has arrived.
    private func deliver(context: ChannelHandlerContext) {
        guard !refused, var pending = buffer, pending.readableBytes > 0 else { return }
        switch pending.withUnsafeReadableBytes({ parser.parse($0) }) {
        case .incomplete:
            if !announcedPartial {
                announcedPartial = true
                context.fireChannelRead(wrapInboundOut(.partialHead))
            }
        case .reject(let status):
            refused = true
            buffer = nil
            demand = false
            context.fireChannelRead(wrapInboundOut(.refused(status)))
        case .complete(let head, let consumed):
            pending.moveReaderIndex(forwardBy: consumed)
            buffer = pending.readableBytes > 0 ? pending : nil
            demand = false
            announcedPartial = false
            if readHeld, (buffer?.readableBytes ?? 0) < pipelineBytes {
                readHeld = false
                context.read()
            }
            context.fireChannelRead(wrapInboundOut(.head(head)))
        }
    }
}
