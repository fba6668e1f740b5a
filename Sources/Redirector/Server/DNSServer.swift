import DNSWire
import Edge
import NIOCore
import NIOPosix
import Topology
#if canImport(Glibc)
import Glibc
#endif

/// The DNS listeners: one UDP socket per event loop on the same port (SO_REUSEPORT, so the
/// kernel spreads queries over the cores) and one TCP listener.
final class DNSServer: Sendable {
    let port: Int
    private let channels: [Channel]
    private let connections = ConnectionRegistry()

    /// TCP connections idle this long are closed (RFC 7766 §6.2.3 suggests seconds, not minutes).
    static let tcpIdleTimeout = TimeAmount.seconds(10)
    static let maxTCPConnections = 1024

    init(service: DNSService, listen: ListenAddress, group: EventLoopGroup) throws {
        let connections = self.connections
        var attempt = 1
        while true {
            do {
                (channels, port) = try Self.bind(service: service, listen: listen, group: group, connections: connections)
                return
            } catch {
                // With port 0 the kernel picks the UDP port, and the TCP listener may find that
                // port held by some client's connection: another pick will do.
                guard listen.port == 0, attempt < 5 else {
                    throw RedirectorError("DNS \(listen): cannot listen (\(socketErrorText(error)))")
                }
                attempt += 1
            }
        }
    }

    /// Every listener on one port, or none (what did bind is closed again before throwing).
    private static func bind(service: DNSService, listen: ListenAddress, group: EventLoopGroup,
                             connections: ConnectionRegistry) throws -> ([Channel], Int) {
        var channels: [Channel] = []
        do {
            var port = listen.port
            for loop in group.makeIterator() {
                let channel = try DatagramBootstrap(group: loop)
                    .channelOption(.socketOption(.so_reuseaddr), value: 1)
                    .channelOption(.socket(.init(SOL_SOCKET), .init(SO_REUSEPORT)), value: 1)
                    .channelOption(.datagramVectorReadMessageCount, value: 32)
                    .channelOption(.maxMessagesPerRead, value: 4)
                    .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 32 * 4096))
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHandler(DNSDatagramHandler(service: service))
                        }
                    }
                    .bind(host: listen.host, port: port).wait()
                channels.append(channel)
                port = channel.localAddress?.port ?? port  // port 0: the others join the chosen one
            }
            let tcp = try ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .serverChannelOption(.backlog, value: 256)
                .childChannelInitializer { channel in
                    guard connections.register(channel) <= Self.maxTCPConnections else { return channel.close() }
                    return channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers([
                            IdleStateHandler(readTimeout: Self.tcpIdleTimeout),
                            ByteToMessageHandler(DNSLengthFrameDecoder(), maximumBufferSize: 70_000),
                            DNSStreamHandler(service: service),
                        ])
                    }
                }
                .bind(host: listen.host, port: port).wait()
            channels.append(tcp)
            return (channels, port)
        } catch {
            channels.forEach { try? $0.close().wait() }
            throw error
        }
    }

    func stop() {
        for channel in channels { try? channel.close().wait() }
        connections.closeAll()
    }
}
