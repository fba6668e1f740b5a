import NIOCore

/// One response at a time, in request order: the next request is asked for (a `read()` passed
/// down to the decoder) only once the current response has been handed to the channel and the
/// socket takes writes again, so a client that pipelines and never reads costs one socket
/// buffer, not a queue of responses. Between requests it runs the idle and header timeouts.
final class HTTPPipeliningHandler: ChannelDuplexHandler {
    typealias InboundIn = RequestEvent
    typealias InboundOut = RequestEvent
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private let idle: TimeAmount
    private let header: TimeAmount
    private var timeouts: ConnectionTimeouts?
    private var timer: DeadlineTimer?
    private var responding = false
    private var closing = false
    /// The next request is wanted, once the response under way is out and the socket has room.
    private var readHeld = false
    private var asking = false
    private var askAgain = false

    init(idleTimeout: TimeAmount, headerTimeout: TimeAmount) {
        idle = idleTimeout
        header = headerTimeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        timeouts = ConnectionTimeouts(idle: idle, header: header, now: context.eventLoop.now)
        timer = DeadlineTimer(on: context.eventLoop) { [unowned self, unowned context] in expire(context: context) }
        armTimer()
    }

    /// The timer's closure holds this handler: cancelling it here lets both go.
    func handlerRemoved(context: ChannelHandlerContext) {
        closing = true
        timer?.cancel()
        timer = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        closing = true
        timer?.cancel()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        let event = unwrapInboundIn(data)
        if case .partialHead = event {
            timeouts?.partialHeadArrived(at: context.eventLoop.now)
            armTimer()
            return
        }
        responding = true
        timeouts?.requestStarted()
        context.fireChannelRead(data)
    }

    func read(context: ChannelHandlerContext) {
        if responding || closing || !context.channel.isWritable { readHeld = true } else { context.read() }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let complete = event as? ResponseComplete else {
            return context.triggerUserOutboundEvent(event, promise: promise)
        }
        promise?.succeed(())
        responding = false
        if complete.close {
            closing = true
            timer?.cancel()
            context.close(promise: nil)
            return
        }
        timeouts?.responseEnded(at: context.eventLoop.now)
        armTimer()
        // Asks for the next request whether or not the channel has asked to read since: it
        // may be in the decoder's buffer already.
        readHeld = true
        askForNextRequest(context: context)
    }

    /// A buffered request is answered from inside this call, and its end calls here again:
    /// the nested call only notes that it is wanted and this loop does it, so that a long
    /// pipeline cannot deepen the stack.
    private func askForNextRequest(context: ChannelHandlerContext) {
        if asking {
            askAgain = true
            return
        }
        asking = true
        repeat {
            askAgain = false
            releaseRead(context: context)
        } while askAgain
        asking = false
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { releaseRead(context: context) }
        context.fireChannelWritabilityChanged()
    }

    private func releaseRead(context: ChannelHandlerContext) {
        guard readHeld, !responding, !closing, context.channel.isWritable else { return }
        readHeld = false
        context.read()
    }

    private func armTimer() {
        if let deadline = timeouts?.deadline { timer?.wake(by: deadline.at) }
    }

    /// The timer woke: acts on what is due, or says when to look again.
    private func expire(context: ChannelHandlerContext) -> NIODeadline? {
        guard !closing, let timeouts else { return nil }
        switch timeouts.expired(at: context.eventLoop.now) {
        case .close:
            closing = true
            context.close(promise: nil)
            return nil
        case .requestTimeout:
            // Answered like a refused head: 408, then the connection closes.
            responding = true
            self.timeouts?.requestStarted()
            context.fireChannelRead(wrapInboundOut(.refused(.requestTimeout)))
            return nil
        case nil:
            return timeouts.deadline?.at
        }
    }
}
