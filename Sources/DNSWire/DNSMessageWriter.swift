/// Encodes a response in RFC 1035 wire format with name compression, and truncates it (TC bit,
/// records dropped) when it would not fit the transport's limit.
public struct DNSMessageWriter {
    /// The payload size this server offers and honours over UDP (the DNS Flag Day 2020 value).
    public static let ednsPayloadSize: UInt16 = 1232
    /// Without EDNS a UDP response is at most 512 bytes (RFC 1035 §4.2.1).
    public static let classicUDPSize = 512

    private var bytes: [UInt8] = []
    /// Offsets of names already written, keyed by their lowercased wire form, for compression.
    private var written: [ArraySlice<UInt8>: UInt16] = [:]

    /// The largest response a query may receive over UDP.
    public static func udpLimit(for query: DNSQuery?) -> Int {
        guard let edns = query?.edns else { return classicUDPSize }
        return Int(min(ednsPayloadSize, max(UInt16(classicUDPSize), edns.udpPayloadSize)))
    }

    /// The response as bytes, no longer than `limit`: when the records do not fit, they are
    /// left out and TC is set so that the client retries over TCP (RFC 7766).
    public static func encode(_ response: DNSResponse, limit: Int = 65535) -> [UInt8] {
        var writer = DNSMessageWriter()
        writer.write(response, truncated: false)
        if writer.bytes.count <= limit { return writer.bytes }
        writer = DNSMessageWriter()
        writer.write(response, truncated: true)
        return writer.bytes
    }

    private mutating func write(_ response: DNSResponse, truncated: Bool) {
        bytes.reserveCapacity(512)
        let answers = truncated ? [] : response.answers
        let authority = truncated ? [] : response.authority
        let additional = truncated ? [] : response.additional
        var flags: UInt16 = 0x8000 | (response.opcode & 0xF) << 11 | (response.rcode.rawValue & 0xF)
        if response.authoritative { flags |= 0x0400 }
        if truncated { flags |= 0x0200 }
        if response.recursionDesired { flags |= 0x0100 }
        if response.checkingDisabled { flags |= 0x0010 }
        u16(response.id)
        u16(flags)
        u16(response.question == nil ? 0 : 1)
        u16(UInt16(answers.count))
        u16(UInt16(authority.count))
        u16(UInt16(additional.count + (response.edns == nil ? 0 : 1)))
        if let question = response.question {
            name(question.name)
            u16(question.type.rawValue)
            u16(question.dnsClass)
        }
        for record in answers + authority + additional { self.record(record) }
        if let edns = response.edns { opt(edns, extendedRcode: UInt8(response.rcode.rawValue >> 4)) }
    }

    private mutating func u16(_ value: UInt16) { bytes.appendBigEndian(value) }
    private mutating func u32(_ value: UInt32) { bytes.appendBigEndian(value) }

    /// Writes a name, replacing its longest suffix already in the message by a pointer.
    private mutating func name(_ name: DNSName) {
        let start = bytes.count
        for offset in name.suffixOffsets {
            if let target = written[name.key[offset...]] {
                bytes += name.wire[..<offset]
                u16(0xC000 | target)
                remember(name, at: start, before: offset)
                return
            }
        }
        bytes += name.wire
        remember(name, at: start, before: name.wire.count)
    }

    /// Notes where the suffixes of `name` written in full (those starting before `end`) are, so
    /// later names can point at them; pointers reach only the first 16 KiB.
    private mutating func remember(_ name: DNSName, at start: Int, before end: Int) {
        for offset in name.suffixOffsets where offset < end && start + offset < 0x3FFF {
            written[name.key[offset...]] = UInt16(start + offset)
        }
    }

    private mutating func record(_ record: ResourceRecord) {
        name(record.name)
        u16(record.data.type.rawValue)
        u16(DNSClass.internet)
        u32(record.ttl)
        let lengthAt = bytes.count
        u16(0)
        switch record.data {
        case .a(let address), .aaaa(let address):
            bytes += address
        case .ns(let target), .cname(let target):
            name(target)
        case .soa(let soa):
            name(soa.primary)
            name(soa.mailbox)
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { u32(value) }
        case .srv(let priority, let weight, let port, let target):
            u16(priority)
            u16(weight)
            u16(port)
            let start = bytes.count
            bytes += target.wire  // RFC 2782: the SRV target is never compressed
            remember(target, at: start, before: target.wire.count)
        case .dnskey, .rrsig, .nsec, .ds:
            // DNSSEC's names are never compressed (RFC 4034 §3.1.7, §4.1.1): the canonical bytes are the wire bytes.
            bytes += record.data.canonicalRDATA
        }
        let length = bytes.count - lengthAt - 2
        bytes[lengthAt] = UInt8(length >> 8)
        bytes[lengthAt + 1] = UInt8(length & 0xFF)
    }

    /// `bytes` (a response this writer made with `edns`) with one more EDNS option, such as the
    /// cookie that differs for every client while the rest of the answer is shared. The OPT
    /// record is the last one written, so the option goes at the end and its length is patched.
    public static func appendingOption(code: UInt16, value: [UInt8], to bytes: [UInt8], edns: EDNSResponseOptions) -> [UInt8] {
        let present = (edns.clientSubnet.map { 4 + $0.encoded.count } ?? 0) + (edns.cookie.map { 4 + $0.optionValue.count } ?? 0)
        let lengthAt = bytes.count - present - 2
        let length = present + 4 + value.count
        var out = bytes
        out[lengthAt] = UInt8(length >> 8)
        out[lengthAt + 1] = UInt8(length & 0xFF)
        out += [UInt8(code >> 8), UInt8(code & 0xFF), UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + value
        return out
    }

    private mutating func opt(_ edns: EDNSResponseOptions, extendedRcode: UInt8) {
        bytes.append(0)  // root name
        u16(DNSRecordType.opt.rawValue)
        u16(edns.udpPayloadSize)
        u32(UInt32(extendedRcode) << 24 | (edns.dnssecOK ? 0x8000 : 0))  // version 0, DO echoed
        var data = edns.clientSubnet.map { subnet -> [UInt8] in
            let value = subnet.encoded
            return [0, UInt8(ClientSubnet.optionCode), UInt8(value.count >> 8), UInt8(value.count & 0xFF)] + value
        } ?? []
        if let cookie = edns.cookie?.optionValue {
            data += [0, UInt8(DNSCookie.optionCode), UInt8(cookie.count >> 8), UInt8(cookie.count & 0xFF)] + cookie
        }
        u16(UInt16(data.count))
        bytes += data
    }
}
