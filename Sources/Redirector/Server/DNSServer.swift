import Addressing
import DNSWire
import NIOCore
import NIOPosix
import ServerSupport
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

    static let maxTCPConnections = 1024
    /// One client's share of them (a busy resolver needs a few; RFC 7766 §6.2.2).
    static let maxTCPConnectionsPerClient = 32

    /// `queryTimeout`: each query over TCP must arrive whole within this of the connection opening
    /// or of the previous answer (RFC 7766 §6.2.3 suggests seconds, not minutes).
    init(service: DNSService, listen: ListenAddress, group: EventLoopGroup, queryTimeout: TimeAmount) throws {
        let connections = self.connections
        var attempt = 1
        while true {
            do {
                (channels, port) = try Self.bind(service: service, listen: listen, group: group, connections: connections,
                                                 queryTimeout: queryTimeout)
                return
            } catch {
                // With port 0 the kernel picks the UDP port, and the TCP listener may find that
                // port held by some client's connection: another pick will do.
                guard listen.port == 0, attempt < 5 else {
                    throw ServerError("DNS \(listen): cannot listen (\(socketErrorText(error)))")
                }
                attempt += 1
            }
        }
    }

    /// Every listener on one port, or none (what did bind is closed again before throwing).
    private static func bind(service: DNSService, listen: ListenAddress, group: EventLoopGroup,
                             connections: ConnectionRegistry, queryTimeout: TimeAmount) throws -> ([Channel], Int) {
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
            let bootstrap = boundedServerBootstrap(group: group, connections: connections, total: Self.maxTCPConnections,
                                                   perClient: Self.maxTCPConnectionsPerClient) { pipeline in
                try pipeline.addHandlers([
                    ByteToMessageHandler(DNSLengthFrameDecoder(), maximumBufferSize: 70_000),
                    DNSStreamHandler(service: service, timeout: queryTimeout),
                ])
            }
            let tcp = try bootstrap.bind(host: listen.host, port: port).wait()
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
