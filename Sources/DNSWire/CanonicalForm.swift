/// The canonical form DNSSEC signs (RFC 4034 §6): names uncompressed and lowercased (except
/// the NSEC next name, kept as written, RFC 6840 §5.1), records of an RRset sorted by their
/// RDATA as unsigned bytes.
extension RecordData {
    public var canonicalRDATA: [UInt8] {
        var out: [UInt8] = []
        func u16(_ value: UInt16) { out.appendBigEndian(value) }
        func u32(_ value: UInt32) { out.appendBigEndian(value) }
        switch self {
        case .a(let address), .aaaa(let address):
            out = address
        case .ns(let target), .cname(let target):
            out = target.key
        case .soa(let soa):
            out = soa.primary.key + soa.mailbox.key
            for value in [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum] { u32(value) }
        case .srv(let priority, let weight, let port, let target):
            u16(priority)
            u16(weight)
            u16(port)
            out += target.key
        case .dnskey(let flags, let algorithm, let publicKey):
            u16(flags)
            out += [3, algorithm]
            out += publicKey
        case .rrsig(let data):
            out = data.signedPrefix + data.signature
        case .nsec(let next, let types):
            out = next.wire + Self.typeBitmap(types)
        case .ds(let keyTag, let algorithm, let digestType, let digest):
            u16(keyTag)
            out += [algorithm, digestType]
            out += digest
        }
        return out
    }

    /// RFC 4034 §4.1.2: per 256-type window, the window number, the bitmap's length, the bitmap.
    static func typeBitmap(_ types: [DNSRecordType]) -> [UInt8] {
        var windows: [UInt8: [UInt8]] = [:]
        for type in Set(types.map(\.rawValue)) {
            let window = UInt8(type >> 8), low = Int(type & 0xFF)
            var bits = windows[window] ?? []
            if bits.count <= low / 8 { bits += [UInt8](repeating: 0, count: low / 8 + 1 - bits.count) }
            bits[low / 8] |= 0x80 >> UInt8(low % 8)
            windows[window] = bits
        }
        return windows.keys.sorted().flatMap { window in [window, UInt8(windows[window]!.count)] + windows[window]! }
    }
}

extension SignatureData {
    /// The RDATA before the signature, which the signature covers (RFC 4034 §3.1.8.1).
    public var signedPrefix: [UInt8] {
        var out: [UInt8] = []
        out.appendBigEndian(typeCovered.rawValue)
        out += [algorithm, labels]
        for value in [originalTTL, expiration, inception] { out.appendBigEndian(value) }
        out.appendBigEndian(keyTag)
        return out + signer.key
    }
}

extension ResourceRecord {
    /// One record as it enters a signature: owner lowercased, class IN, the original TTL.
    public func canonicalBytes(ttl originalTTL: UInt32) -> [UInt8] {
        let rdata = data.canonicalRDATA
        var out = name.key
        out.appendBigEndian(data.type.rawValue)
        out.appendBigEndian(UInt16(DNSClass.internet))
        out.appendBigEndian(originalTTL)
        out.appendBigEndian(UInt16(rdata.count))
        return out + rdata
    }
}

extension Array where Element == UInt8 {
    /// Network byte order, as every DNS field is written.
    mutating func appendBigEndian<Value: FixedWidthInteger>(_ value: Value) {
        for shift in stride(from: Value.bitWidth - 8, through: 0, by: -8) { append(UInt8(truncatingIfNeeded: value >> shift)) }
    }
}
