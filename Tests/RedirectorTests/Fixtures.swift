import DNSWire
import Foundation
import Redirector
import TestSupport
import Topology

/// Builds query messages byte by byte, including the malformed ones no library would write.
struct QueryBuilder {
    var id: UInt16 = 0x1234
    var flags: UInt16 = 0x0100  // RD, as dig sends by default
    var name = "video.cdn.example.test"
    var type: UInt16 = 1
    var dnsClass: UInt16 = 1
    /// EDNS payload size; nil sends no OPT record.
    var ednsPayload: UInt16? = 1232
    var ednsVersion: UInt8 = 0
    /// Raw ECS option data (family, source, scope, address).
    var ecs: [UInt8]?

    /// ECS option data: family (1 IPv4, 2 IPv6), prefix lengths, then the address octets as given.
    static func ecsData(_ address: [UInt8], source: UInt8, scope: UInt8 = 0, family: UInt8 = 1) -> [UInt8] {
        [0, family, source, scope] + address
    }

    func bytes() -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ value: UInt16) { out += [UInt8(value >> 8), UInt8(value & 0xFF)] }
        u16(id)
        u16(flags)
        u16(1)
        u16(0)
        u16(0)
        u16(ednsPayload == nil ? 0 : 1)
        out += DNSName(name)!.wire
        u16(type)
        u16(dnsClass)
        if let payload = ednsPayload {
            out.append(0)
            u16(41)
            u16(payload)
            out += [0, ednsVersion, 0, 0]
            let data = ecs.map { [0, 8, UInt8($0.count >> 8), UInt8($0.count & 0xFF)] + $0 } ?? []
            u16(UInt16(data.count))
            out += data
        }
        return out
    }
}

/// Just enough of a response decoder to check what tests need: header fields and the counts.
struct ResponseHeader: Equatable {
    let id: UInt16
    let isResponse: Bool
    let authoritative: Bool
    let truncated: Bool
    let rcode: UInt16
    let questions: Int
    let answers: Int
    let authority: Int
    let additional: Int

    init?(_ bytes: [UInt8]) {
        guard bytes.count >= 12 else { return nil }
        func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) << 8 | UInt16(bytes[at + 1]) }
        id = u16(0)
        let flags = u16(2)
        isResponse = flags & 0x8000 != 0
        authoritative = flags & 0x0400 != 0
        truncated = flags & 0x0200 != 0
        rcode = flags & 0xF
        questions = Int(u16(4))
        answers = Int(u16(6))
        authority = Int(u16(8))
        additional = Int(u16(10))
    }
}

extension TestTopology {
    static func config(edgePorts: [Int] = [8081, 8082, 8083], decisionLog: String = "off", extra: String = "") throws -> CDNConfig {
        try CDNConfig.parse(yaml: yaml(edgePorts: edgePorts, decisionLog: decisionLog, extra: extra), file: "/tmp/test-cdn.yaml")
    }
}
