import Addressing
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServerSupport
import Topology
#if canImport(Glibc)
import Glibc
#endif

/// One listening HTTP server (the origin, or one edge) on SwiftNIO. The protocol work lives in
/// the connection handler and the router; this type binds, limits connections, and stops.
public final class HTTPServer: Sendable {
    public let context: ServerContext
    private let group: EventLoopGroup
    private let channel: Channel
    private let sampler: RepeatedTask
    private let connections = ConnectionRegistry()

    /// The address actually bound (port 0 in the request becomes the chosen port here).
    public var localAddress: SocketAddress { channel.localAddress! }
    public var port: Int { localAddress.port ?? 0 }

    public init(context: ServerContext, listen: ListenAddress, group: EventLoopGroup) throws {
        self.context = context
        self.group = group
        raiseOpenFileLimit()
        let limits = context.limits
        let connections = self.connections
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.maxMessagesPerRead, value: 4)
            .childChannelInitializer { channel in
                context.metrics.connection(opened: true)
                let open = connections.register(channel) { context.metrics.connection(opened: false) }
                return channel.eventLoop.makeCompletedFuture {
                    if open.total > limits.maxConnections || open.fromClient > limits.maxConnectionsPerClient {
                        context.metrics.rejectedConnection()
                        try channel.pipeline.syncOperations.addHandler(OverloadHandler())
                    } else {
                        try channel.pipeline.syncOperations.addHandlers(Self.connectionStages(context))
                    }
                }
            }
        do {
            channel = try bootstrap.bind(host: listen.host, port: listen.port).wait()
        } catch {
            throw ServerError("\(listen): cannot listen (\(socketErrorText(error)))")
        }
        sampler = group.next().scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(1)) { _ in
            context.status.sample()
        }
    }

    /// A connection's stages, socket side first: the send timeout watches every write, the
    /// decoder hands over one request head per demand, the pipelining stage runs one response
    /// at a time and the time between them, the responder answers.
    static func connectionStages(_ context: ServerContext) -> [ChannelHandler] {
        [WriteTimeoutHandler(timeout: .fromSeconds(context.limits.sendTimeout)),
         HTTPRequestDecoder(parser: context.parser),
         HTTPPipeliningHandler(idleTimeout: .fromSeconds(context.limits.idleTimeout),
                               headerTimeout: .fromSeconds(context.limits.headerTimeout)),
         HTTPResponder(server: context)]
    }

    /// Stops accepting and closes every open connection.
    public func stop() {
        sampler.cancel()
        try? channel.close().wait()
        connections.closeAll()
        context.accessLog.flush()
    }
}

/// Answers a connection over the limit with 503 and closes it, reading nothing.
final class OverloadHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelActive(context: ChannelHandlerContext) {
        let text = "503 Service Unavailable: too many connections, try again shortly.\n"
        let head = "HTTP/1.1 503 Service Unavailable\r\nServer: dashcdn\r\nRetry-After: 1\r\nContent-Type: text/plain\r\n"
            + "Content-Length: \(text.utf8.count)\r\nConnection: close\r\n\r\n"
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: head + text))).assumeIsolated().whenComplete { _ in
            context.close(promise: nil)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {}
    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
