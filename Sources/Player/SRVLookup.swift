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

/// Asks the authoritative server directly (RD clear) from the client's source address, so the
/// server sees the client in its own coverage zone.
public enum SRVLookup {
    public static func lookup(_ host: String, server: String, port: Int, sourceAddress: String?) async throws -> [SRVTarget] {
        guard let name = DNSName("_http._tcp." + host) else { throw FetchError("\(host) is not a DNS name") }
        let (response, truncated) = try await DNSExchange.ask(name, .srv, server: server, port: port, sourceAddress: sourceAddress)
        return try targets(in: response, truncated: truncated, host: host, server: "\(server):\(port)")
    }

    /// The SRV records of a response, each with its address from the additional section.
    static func targets(in response: DNSResponse, truncated: Bool, host: String, server: String) throws -> [SRVTarget] {
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
}
