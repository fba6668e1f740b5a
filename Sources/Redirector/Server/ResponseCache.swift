import DNSSEC
import DNSWire
import Topology

/// Rendered answers, reused while nothing they depend on changes: the question (compared without
/// case), the transport's size limit, EDNS and the client subnet option, the client's routing
/// class (its zone), the signature window of a signed answer, and the health generation. A hit costs a copy and four patches (ID, RD/CD,
/// the question name's case) instead of routing, answering and encoding again. One per UDP
/// worker thread, so it needs no lock.
final class ResponseCache {
    struct Key: Hashable {
        let name: [UInt8]
        let type: UInt16
        let dnsClass: UInt16
        let limit: Int
        let edns: Bool
        let subnet: ClientSubnet?
        let routingClass: String?
        let signatures: SignatureWindow?
    }

    struct Entry {
        let bytes: [UInt8]
        let decision: RoutingDecision?
        let generation: Int
    }

    private var entries: [Key: Entry] = [:]
    /// Spoofed or random names could grow the table without end; it starts over past this.
    static let capacity = 10_000

    func lookup(_ key: Key, generation: Int) -> Entry? {
        guard let entry = entries[key], entry.generation == generation else { return nil }
        return entry
    }

    func store(_ entry: Entry, for key: Key) {
        if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
        entries[key] = entry
    }

    /// A cached answer made fit for `query`: its ID, its RD and CD bits, its question name's case.
    static func patched(_ bytes: [UInt8], for query: DNSQuery) -> [UInt8] {
        var out = bytes
        out[0] = UInt8(query.id >> 8)
        out[1] = UInt8(query.id & 0xFF)
        out[2] = (out[2] & ~0x01) | (query.recursionDesired ? 0x01 : 0)
        out[3] = (out[3] & ~0x10) | (query.checkingDisabled ? 0x10 : 0)
        let name = query.question.name.wire
        out.replaceSubrange(12..<(12 + name.count), with: name)
        return out
    }
}
