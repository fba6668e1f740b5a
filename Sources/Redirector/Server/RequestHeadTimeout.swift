import NIOCore
import NIOHTTP1

/// Closes a connection that has not delivered a whole request head within `timeout` of opening
/// or of its last response: a slow-loris client that drips header bytes, or one that opens a
/// connection and sends nothing, holds it for that long at most, as the edges' header timeout.
final class RequestHeadTimeout: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private var deadline: CloseDeadline

    init(timeout: TimeAmount) { deadline = CloseDeadline(after: timeout) }

    func channelActive(context: ChannelHandlerContext) {
        deadline.arm(context)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { deadline.cancel() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let isEnd = if case .end = unwrapOutboundIn(data) { true } else { false }
        context.write(data, promise: promise)
        if isEnd { deadline.arm(context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline.cancel()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { deadline.cancel() }
}
