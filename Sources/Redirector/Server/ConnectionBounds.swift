import NIOCore

/// A connection closed unless something it waits for (a request head, a whole DNS query)
/// arrives in time; re-armed each time the wait starts again. Cancelled when the channel goes.
struct CloseDeadline {
    let timeout: TimeAmount
    private var task: Scheduled<Void>?

    init(after timeout: TimeAmount) { self.timeout = timeout }

    mutating func arm(_ context: ChannelHandlerContext) {
        cancel()
        task = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) { context.close(promise: nil) }
    }

    mutating func cancel() {
        task?.cancel()
        task = nil
    }
}

/// Reads of at most 16 KiB (set beside one read a turn): what a connection can hand the
/// redirector between its answers (pipelined HTTP requests, DNS queries) stays small while
/// backpressure holds reads.
let smallReads = AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 16384)
