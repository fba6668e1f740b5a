import Addressing
import DNSWire
import Foundation
import NIOCore
import NIOPosix

/// An HTTP server found through DNS: `_http._tcp.<name>` SRV records (RFC 2782) give each
/// edge's port, which A records cannot, so edges on one address but different ports can be told
/// apart. The server lists them best first; we keep its order within a priority.
public struct SRVTarget: Sendable, Equatable {
    public var name: String
    public var address: String
    public var port: Int
    public var priority: Int

    /// The edge's short name, for logs: `edge-nyc.cdn.example.test` → `edge-nyc`.
    public var label: String { String(name.split(separator: ".").first ?? Substring(name)) }
}

/// Asks one DNS server over UDP from the client's source address, so the server sees the
/// client in its own coverage zone. Three tries, one second each.
public enum SRVLookup {
    public static func lookup(_ host: String, server: String, port: Int, sourceAddress: String?) async throws -> [SRVTarget] {
        guard let name = DNSName("_http._tcp." + host) else { throw FetchError("\(host) is not a DNS name") }
        var lastError = "no answer"
        for attempt in 0..<3 {
            let id = UInt16.random(in: 0...UInt16.max)
            let query = DNSClientMessage.query(id: id, name: name, type: .srv)
            do {
                let reply = try await exchange(query, id: id, server: server, port: port, sourceAddress: sourceAddress)
                return try targets(in: reply, host: host, server: "\(server):\(port)")
            } catch let error as FetchError {
                lastError = error.description
                if error.status != nil { throw error }  // an answer that says no: asking again will not help
            } catch {
                lastError = "\(error)"  // the socket itself failed (e.g. a source address not on this host)
            }
            if attempt < 2 { try await Task.sleep(nanoseconds: 100_000_000) }
        }
        throw FetchError("DNS server \(server):\(port): \(lastError)")
    }

    /// The SRV records of a response, each with its address from the additional section.
    static func targets(in bytes: [UInt8], host: String, server: String) throws -> [SRVTarget] {
        guard let (response, truncated) = DNSClientMessage.parseResponse(bytes) else {
            throw FetchError("DNS server \(server) sent a malformed response", status: 0)
        }
        guard response.rcode == .noError else {
            throw FetchError("DNS server \(server) answered \(response.rcode) for _http._tcp.\(host)", status: Int(response.rcode.rawValue))
        }
        var addresses: [DNSName: String] = [:]
        for record in response.additional {
            switch record.data {
            case .a(let octets), .aaaa(let octets):
                addresses[record.name] = addresses[record.name] ?? IPAddress(bytes: octets)?.description
            default: continue
            }
        }
        let targets = response.answers.compactMap { record -> SRVTarget? in
            guard case let .srv(priority, _, port, target) = record.data, let address = addresses[target] else { return nil }
            return SRVTarget(name: target.description.trimmingCharacters(in: CharacterSet(charactersIn: ".")),
                             address: address, port: Int(port), priority: Int(priority))
        }
        guard !targets.isEmpty else {
            throw FetchError("DNS server \(server) has no usable SRV records for _http._tcp.\(host)\(truncated ? " (truncated)" : "")", status: 0)
        }
        return targets.enumerated().sorted { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }.map(\.element)
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
