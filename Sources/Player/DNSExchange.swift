import DNSWire
import Foundation
import NIOCore
import NIOPosix

/// One DNS question asked over UDP from the client's source address (so that the server, or a
/// resolver sending Client Subnet, sees the client in its own coverage zone): three tries, one
/// second each. The response comes back whatever its rcode; a malformed one is an error. Every
/// query carries a DNS cookie (RFC 7873); a server that answers TC until it has seen its own
/// cookie come back is asked again at once with it.
enum DNSExchange {
    static func ask(_ name: DNSName, _ type: DNSRecordType, server: String, port: Int, sourceAddress: String?,
                    recursionDesired: Bool = false) async throws -> (response: DNSResponse, truncated: Bool) {
        var lastError = "no answer"
        let peer = "\(sourceAddress ?? "*")>\(server):\(port)"
        var attempt = 0
        var returnedCookie = false
        while attempt < 3 {
            let id = UInt16.random(in: 0...UInt16.max)
            let sent = CookieJar.shared.cookie(for: peer)
            let query = DNSClientMessage.query(id: id, name: name, type: type, recursionDesired: recursionDesired, cookie: sent)
            do {
                let reply = try await exchange(query, id: id, server: server, port: port, sourceAddress: sourceAddress)
                guard let parsed = DNSClientMessage.parseResponse(reply) else {
                    throw FetchError("DNS server \(server):\(port) sent a malformed response", status: 0)
                }
                if let cookie = parsed.response.edns?.cookie, cookie.client == sent.client, let serverCookie = cookie.server {
                    CookieJar.shared.store(serverCookie, for: peer)
                    if parsed.truncated, !returnedCookie, serverCookie != sent.server {
                        returnedCookie = true
                        continue  // not an attempt used up: the server asked to see its cookie
                    }
                }
                return parsed
            } catch let error as FetchError {
                lastError = error.description
                if error.status != nil { throw error }  // an answer that makes no sense: asking again will not help
            } catch {
                lastError = "\(error)"  // the socket itself failed (e.g. a source address not on this host)
            }
            attempt += 1
            if attempt < 3 { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        throw FetchError("DNS server \(server):\(port): \(lastError)")
    }

    /// Sends one datagram and waits up to a second for the reply carrying the same ID.
    private static func exchange(_ query: [UInt8], id: UInt16, server: String, port: Int,
                                 sourceAddress: String?) async throws -> [UInt8] {
        let remote = try SocketAddress.makeAddressResolvingHost(server, port: port)
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: [UInt8].self)
        // Whatever happens below, the promise is completed (NIO checks that none is dropped).
        defer { promise.fail(FetchError("no reply")) }
        let channel = try await DatagramBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(ReplyHandler(id: id, promise: promise)) }
            }
            .bind(host: sourceAddress ?? (remote.protocol == .inet6 ? "::" : "0.0.0.0"), port: 0).get()
        defer { channel.close(promise: nil) }
        let timeout = channel.eventLoop.scheduleTask(in: .seconds(1)) { promise.fail(FetchError("no reply within 1 s")) }
        defer { timeout.cancel() }
        let envelope = AddressedEnvelope(remoteAddress: remote, data: channel.allocator.buffer(bytes: query))
        try await channel.writeAndFlush(envelope).get()
        return try await promise.futureResult.get()
    }

    private final class ReplyHandler: ChannelInboundHandler {
        typealias InboundIn = AddressedEnvelope<ByteBuffer>
        let id: UInt16
        let promise: EventLoopPromise<[UInt8]>

        init(id: UInt16, promise: EventLoopPromise<[UInt8]>) {
            self.id = id
            self.promise = promise
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            let bytes = Array(unwrapInboundIn(data).data.readableBytesView)
            // Ignore stray datagrams: only the reply to our query counts.
            guard bytes.count >= 2, UInt16(bytes[0]) << 8 | UInt16(bytes[1]) == id else { return }
            promise.succeed(bytes)
        }
    }
}

/// The player's DNS cookies: one random client cookie for the process, and the server cookie
/// each server last gave, by source address and server.
final class CookieJar: @unchecked Sendable {
    static let shared = CookieJar()
    private let lock = NSLock()
    private let client: [UInt8] = (0..<8).map { _ in UInt8.random(in: 0...255) }
    private var servers: [String: [UInt8]] = [:]

    func cookie(for peer: String) -> DNSCookie {
        lock.withLock { DNSCookie(client: client, server: servers[peer]) }
    }

    func store(_ server: [UInt8], for peer: String) {
        lock.withLock { servers[peer] = server }
    }
}
