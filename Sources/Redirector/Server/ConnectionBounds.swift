import NIOCore
import NIOPosix
import ServerSupport

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

/// The redirector's TCP listeners (HTTP, DNS over TCP): connections over the limits are closed
/// at once; the rest get NIO's `BackPressureHandler` first (reading stops while answers wait
/// unread, so a client that sends and never reads costs one socket buffer) and reads of at most
/// 16 KiB, one a turn, so that what a connection can hand over between answers stays small.
func boundedServerBootstrap(group: EventLoopGroup, connections: ConnectionRegistry, total: Int, perClient: Int,
                            stages: @escaping @Sendable (ChannelPipeline.SynchronousOperations) throws -> Void) -> ServerBootstrap {
    ServerBootstrap(group: group)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .serverChannelOption(.backlog, value: 256)
        .childChannelOption(.maxMessagesPerRead, value: 1)
        .childChannelOption(.recvAllocator, value: AdaptiveRecvByteBufferAllocator(minimum: 64, initial: 2048, maximum: 16384))
        .childChannelInitializer { channel in
            guard connections.admit(channel, total: total, perClient: perClient) else { return channel.close() }
            return channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(BackPressureHandler())
                try stages(pipeline)
            }
        }
}
