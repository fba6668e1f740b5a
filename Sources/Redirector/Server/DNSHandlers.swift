import Addressing
import DNSWire
import NIOCore
import ServerSupport
import Topology

/// RFC 1035 §4.2.2 / RFC 7766 framing: each message on a TCP stream is preceded by its length.
struct DNSLengthFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = ByteBuffer

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        guard let length = buffer.getInteger(at: buffer.readerIndex, as: UInt16.self),
              buffer.readableBytes >= 2 + Int(length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 2)
        context.fireChannelRead(wrapInboundOut(buffer.readSlice(length: Int(length))!))
        return .continue
    }
}

/// Queries over one TCP connection: answered in order, any number per connection. Each query
/// must arrive whole within `timeout` of the connection opening or of the previous answer: a
/// client that drips bytes, or sends nothing, is closed then (RFC 7766 §6.2.3: seconds, not
/// minutes). Bytes that do not complete a query restart nothing.
final class DNSStreamHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let service: DNSService
    private var client: IPAddress?
    private var deadline: CloseDeadline

    init(service: DNSService, timeout: TimeAmount) {
        self.service = service
        deadline = CloseDeadline(after: timeout)
    }

    func channelActive(context: ChannelHandlerContext) {
        client = IPAddress(context.remoteAddress)
        deadline.arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let message = unwrapInboundIn(data)
        deadline.arm(context)
        guard let client, let reply = service.reply(to: Array(message.readableBytesView), from: client, overTCP: true) else { return }
        var framed = context.channel.allocator.buffer(capacity: reply.count + 2)
        framed.writeInteger(UInt16(reply.count))
        framed.writeBytes(reply)
        context.write(wrapOutboundOut(framed), promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
        context.fireChannelReadComplete()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline.cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { deadline.cancel() }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
