/// What to do with a datagram or TCP message that claims to be a query.
public enum ParsedQuery: Sendable {
    case query(DNSQuery)
    /// Answer with this code and no records (FORMERR, NOTIMP, BADVERS).
    case reject(DNSResponse)
    /// Say nothing: too short to carry an ID, or a response rather than a query (answering
    /// responses is how reflection loops start).
    case drop
}

/// Parses RFC 1035 queries defensively: every length and count is checked against the bytes
/// actually present, compression pointers must point strictly backwards (no loops, no forward
/// references), names keep to 255 octets and labels to 63, and trailing bytes are an error.
public enum DNSQueryParser {
    static let headerLength = 12

    public static func parse(_ bytes: [UInt8]) -> ParsedQuery {
        guard bytes.count >= headerLength else { return .drop }
        var reader = WireReader(bytes: bytes)
        let id = reader.u16(at: 0)
        let flags = reader.u16(at: 2)
        guard flags & 0x8000 == 0 else { return .drop }
        var failure = DNSResponse(id: id)
        failure.recursionDesired = flags & 0x0100 != 0
        let opcode = (flags >> 11) & 0xF
        guard opcode == 0 else {
            failure.opcode = opcode
            failure.rcode = .notImplemented
            return .reject(failure)
        }
        failure.rcode = .formatError
        let counts = (qd: reader.u16(at: 4), an: reader.u16(at: 6), ns: reader.u16(at: 8), ar: reader.u16(at: 10))
        guard counts.qd == 1 else { return .reject(failure) }
        reader.position = headerLength
        guard let name = reader.name(), let type = reader.readU16(), let dnsClass = reader.readU16() else {
            return .reject(failure)
        }
        let question = DNSQuestion(name: name, type: DNSRecordType(rawValue: type), dnsClass: dnsClass)
        failure.question = question
        // Queries carry no answers; skip what the other sections claim, checking every byte.
        for _ in 0..<(Int(counts.an) + Int(counts.ns)) {
            guard reader.skipRecord() else { return .reject(failure) }
        }
        var edns: EDNSQueryOptions?
        for _ in 0..<counts.ar {
            switch reader.additionalRecord() {
            case .none: return .reject(failure)
            case .some(.other): continue
            case .some(.opt(let options)):
                guard edns == nil else { return .reject(failure) }  // one OPT only (RFC 6891 §6.1.1)
                edns = options
            }
        }
        guard reader.position == bytes.count else { return .reject(failure) }  // trailing garbage
        if let edns {
            failure.edns = EDNSResponseOptions(udpPayloadSize: DNSMessageWriter.ednsPayloadSize)
            if edns.version != 0 { failure.rcode = .badVersion; return .reject(failure) }
        }
        return .query(DNSQuery(id: id, recursionDesired: flags & 0x0100 != 0, checkingDisabled: flags & 0x0010 != 0,
                               question: question, edns: edns))
    }
}

/// A cursor over a message's bytes; every read returns nil rather than run past the end.
struct WireReader {
    let bytes: [UInt8]
    var position = 0

    enum Additional {
        case opt(EDNSQueryOptions)
        case other
    }

    func u16(at offset: Int) -> UInt16 { UInt16(bytes[offset]) << 8 | UInt16(bytes[offset + 1]) }

    mutating func readU16() -> UInt16? {
        guard position + 2 <= bytes.count else { return nil }
        defer { position += 2 }
        return u16(at: position)
    }

    mutating func readU32() -> UInt32? {
        guard let high = readU16(), let low = readU16() else { return nil }
        return UInt32(high) << 16 | UInt32(low)
    }

    /// Reads a possibly compressed name. Each pointer must land strictly before the bytes read so
    /// far for this name, which makes loops impossible; the expanded name must fit 255 octets.
    mutating func name() -> DNSName? {
        var wire: [UInt8] = []
        var cursor = position
        var floor = position
        var resume: Int?
        while true {
            guard cursor < bytes.count else { return nil }
            let length = Int(bytes[cursor])
            switch length & 0xC0 {
            case 0xC0:
                guard cursor + 1 < bytes.count else { return nil }
                let target = (length & 0x3F) << 8 | Int(bytes[cursor + 1])
                guard target < floor else { return nil }
                if resume == nil { resume = cursor + 2 }
                floor = target
                cursor = target
            case 0x00:
                if length == 0 {
                    wire.append(0)
                    guard wire.count <= DNSName.maxWireLength else { return nil }
                    position = resume ?? cursor + 1
                    return DNSName(validatedWire: wire)
                }
                guard cursor + 1 + length <= bytes.count, wire.count + length + 2 <= DNSName.maxWireLength else { return nil }
                wire.append(contentsOf: bytes[cursor...(cursor + length)])
                cursor += length + 1
            default:
                return nil  // 0x40 and 0x80: extended label types, obsolete and never valid here
            }
        }
    }

    /// Skips one resource record after checking that its name and data lie within the message.
    mutating func skipRecord() -> Bool {
        guard name() != nil, readU16() != nil, readU16() != nil, readU32() != nil,
              let length = readU16(), position + Int(length) <= bytes.count else { return false }
        position += Int(length)
        return true
    }

    /// Reads one additional-section record, decoding it when it is an OPT.
    mutating func additionalRecord() -> Additional? {
        guard let owner = name(), let type = readU16(), let payload = readU16(), let ttl = readU32(),
              let length = readU16(), position + Int(length) <= bytes.count else { return nil }
        let data = bytes[position..<(position + Int(length))]
        position += Int(length)
        guard type == DNSRecordType.opt.rawValue else { return .other }
        guard owner.wire == [0] else { return nil }  // OPT lives at the root name only
        var options = EDNSQueryOptions(udpPayloadSize: payload, version: UInt8((ttl >> 16) & 0xFF),
                                       dnssecOK: ttl & 0x8000 != 0, clientSubnet: nil)
        var index = data.startIndex
        while index < data.endIndex {
            guard index + 4 <= data.endIndex else { return nil }
            let code = UInt16(data[index]) << 8 | UInt16(data[index + 1])
            let optionLength = Int(data[index + 2]) << 8 | Int(data[index + 3])
            guard index + 4 + optionLength <= data.endIndex else { return nil }
            let value = data[(index + 4)..<(index + 4 + optionLength)]
            if code == ClientSubnet.optionCode {
                guard options.clientSubnet == nil, let subnet = ClientSubnet.parse(value) else { return nil }
                options.clientSubnet = subnet
            } else if code == DNSCookie.optionCode {
                // A cookie of a length no client may send is FORMERR (RFC 7873 §5.2.2).
                guard options.cookie == nil, let cookie = DNSCookie(option: value) else { return nil }
                options.cookie = cookie
            }
            index += 4 + optionLength
        }
        return .opt(options)
    }
}
