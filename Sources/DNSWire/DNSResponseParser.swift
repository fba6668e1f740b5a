/// The client side of the wire format: a query to send, and the records of the response that
/// comes back (A, AAAA, NS, CNAME, SOA, SRV; other types are skipped). Every length is checked
/// against the bytes present, with the same name reader the server uses for queries.
public enum DNSClientMessage {
    /// A standard query with an OPT record offering `payloadSize` bytes over UDP; RD set when
    /// asking a recursive resolver, clear when asking the authoritative server directly.
    public static func query(id: UInt16, name: DNSName, type: DNSRecordType, payloadSize: UInt16 = 1232,
                             recursionDesired: Bool = false, cookie: DNSCookie? = nil) -> [UInt8] {
        var out: [UInt8] = []
        func u16(_ value: UInt16) { out.appendBigEndian(value) }
        u16(id)
        u16(recursionDesired ? 0x0100 : 0)
        u16(1)
        u16(0)
        u16(0)
        u16(1)
        out += name.wire
        u16(type.rawValue)
        u16(DNSClass.internet)
        out.append(0)
        u16(DNSRecordType.opt.rawValue)
        u16(payloadSize)
        out += [0, 0, 0, 0]
        let option = cookie.map { [0, UInt8(DNSCookie.optionCode), 0, UInt8($0.optionValue.count)] + $0.optionValue } ?? []
        u16(UInt16(option.count))
        return out + option
    }

    /// The response in `bytes`, or nil when it is not a well-formed response.
    public static func parseResponse(_ bytes: [UInt8]) -> (response: DNSResponse, truncated: Bool)? {
        guard bytes.count >= DNSQueryParser.headerLength else { return nil }
        var reader = WireReader(bytes: bytes)
        let flags = reader.u16(at: 2)
        guard flags & 0x8000 != 0 else { return nil }
        var response = DNSResponse(id: reader.u16(at: 0))
        response.authoritative = flags & 0x0400 != 0
        response.rcode = DNSResponseCode(rawValue: flags & 0xF)
        let counts = (qd: reader.u16(at: 4), an: reader.u16(at: 6), ns: reader.u16(at: 8), ar: reader.u16(at: 10))
        reader.position = DNSQueryParser.headerLength
        for _ in 0..<counts.qd {
            guard let name = reader.name(), let type = reader.readU16(), let dnsClass = reader.readU16() else { return nil }
            response.question = DNSQuestion(name: name, type: DNSRecordType(rawValue: type), dnsClass: dnsClass)
        }
        for section in 0..<3 {
            let count = [counts.an, counts.ns, counts.ar][section]
            for _ in 0..<count {
                let start = reader.position
                if section == 2, case .opt(let options)? = reader.additionalRecord() {
                    response.edns = EDNSResponseOptions(udpPayloadSize: options.udpPayloadSize, clientSubnet: options.clientSubnet,
                                                        dnssecOK: options.dnssecOK, cookie: options.cookie)
                    continue
                }
                reader.position = start
                guard let record = reader.record() else { return nil }
                guard let record = record else { continue }
                switch section {
                case 0: response.answers.append(record)
                case 1: response.authority.append(record)
                default: response.additional.append(record)
                }
            }
        }
        return (response, flags & 0x0200 != 0)
    }
}

extension WireReader {
    /// One record: nil when malformed, `.some(nil)` for a type this reader skips.
    mutating func record() -> ResourceRecord?? {
        guard let owner = name(), let type = readU16(), readU16() != nil, let ttl = readU32(),
              let length = readU16(), position + Int(length) <= bytes.count else { return nil }
        let end = position + Int(length)
        defer { position = end }
        let data: RecordData?
        switch DNSRecordType(rawValue: type) {
        case .a where length == 4: data = .a(Array(bytes[position..<end]))
        case .aaaa where length == 16: data = .aaaa(Array(bytes[position..<end]))
        case .ns: data = name().map(RecordData.ns)
        case .cname: data = name().map(RecordData.cname)
        case .srv:
            guard let priority = readU16(), let weight = readU16(), let port = readU16(), let target = name() else { return nil }
            data = .srv(priority: priority, weight: weight, port: port, target: target)
        case .soa:
            guard let primary = name(), let mailbox = name(), let serial = readU32(), let refresh = readU32(),
                  let retry = readU32(), let expire = readU32(), let minimum = readU32() else { return nil }
            data = .soa(SOAData(primary: primary, mailbox: mailbox, serial: serial, refresh: refresh,
                                retry: retry, expire: expire, minimum: minimum))
        case .a, .aaaa: return nil
        default: return .some(nil)
        }
        guard let data, position <= end else { return nil }
        return .some(ResourceRecord(name: owner, ttl: ttl, data: data))
    }
}
