import Addressing
import DNSWire
import NIOCore
import NIOPosix
import ServerSupport
import Topology
#if canImport(Glibc)
import Glibc
#endif

/// The DNS listeners: UDP workers, one socket and thread per event loop on the same port
/// (SO_REUSEPORT, so the kernel spreads queries over the cores), and one TCP listener.
final class DNSServer: Sendable {
    let port: Int
    private let datagrams: DatagramWorkers
    private let tcp: Channel
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
                (datagrams, tcp) = try Self.bind(service: service, listen: listen, group: group, connections: connections,
                                                 queryTimeout: queryTimeout)
                port = datagrams.port
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
                             connections: ConnectionRegistry, queryTimeout: TimeAmount) throws -> (DatagramWorkers, Channel) {
        let datagrams = try DatagramWorkers(service: service, host: listen.host, port: listen.port,
                                            count: Array(group.makeIterator()).count)
        do {
            let bootstrap = boundedServerBootstrap(group: group, connections: connections, total: Self.maxTCPConnections,
                                                   perClient: Self.maxTCPConnectionsPerClient) { pipeline in
                try pipeline.addHandlers([
                    ByteToMessageHandler(DNSLengthFrameDecoder(), maximumBufferSize: 70_000),
                    DNSStreamHandler(service: service, timeout: queryTimeout),
                ])
            }
            return (datagrams, try bootstrap.bind(host: listen.host, port: datagrams.port).wait())
        } catch {
            datagrams.stop()
            throw error
        }
    }

    func stop() {
        datagrams.stop()
        try? tcp.close().wait()
        connections.closeAll()
    }
}
