import NIOCore

/// Closes a connection whose writes stop making progress for `timeout`: a write waiting for
/// completion, or a socket too full to take more, must move within that time (the client
/// stopped reading). Writes without a promise are not followed; the responder asks for one on
/// every body slice, which is where a stalled client shows.
final class WriteTimeoutHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = IOData

    private let timeout: TimeAmount
    private var pendingWrites = 0
    private var lastProgress = NIODeadline.uptimeNanoseconds(0)
    private var timer: DeadlineTimer?

    init(timeout: TimeAmount) { self.timeout = timeout }

    func handlerAdded(context: ChannelHandlerContext) {
        timer = DeadlineTimer(on: context.eventLoop) { [unowned self, unowned context] in expire(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard let promise else { return context.write(data, promise: nil) }
        let wasStalled = stalled(context)
        pendingWrites += 1
        // The period starts with the first write waited on, not with each one queued behind it.
        if !wasStalled { progressed(context) }
        promise.futureResult.assumeIsolated().whenComplete { [self] _ in
            pendingWrites -= 1
            progressed(context)
        }
        context.write(data, promise: promise)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        progressed(context)
        context.fireChannelWritabilityChanged()
    }

    private func stalled(_ context: ChannelHandlerContext) -> Bool {
        pendingWrites > 0 || !context.channel.isWritable
    }

    private func progressed(_ context: ChannelHandlerContext) {
        lastProgress = context.eventLoop.now
        if stalled(context) { timer?.wake(by: lastProgress + timeout) }
    }

    private func expire(context: ChannelHandlerContext) -> NIODeadline? {
        guard stalled(context) else { return nil }
        if context.eventLoop.now - lastProgress >= timeout {
            context.close(promise: nil)
            return nil
        }
        return lastProgress + timeout
    }
}
