import DNSWire

/// Online signing, as Traffic Router and PowerDNS do it: the answer is made for the asking
/// client (its edge, its subnet), so it is signed as it goes out, an RRSIG after each RRset.
/// What does not exist is denied the compact way (RFC 9824, "black lies"): one NSEC at the
/// asked name, from it to its immediate successor, listing the types that are there (or
/// NXNAME when nothing is), so no zone walk and no precomputed chain.
public struct ZoneSigner: Sendable {
    public let apex: DNSName
    public let keys: ZoneKeys

    public init(apex: DNSName, keys: ZoneKeys) {
        self.apex = apex
        self.keys = keys
    }

    /// `records` with each RRset (owner and type, grouped where they first appear) followed by
    /// its signature: the DNSKEY set by the key-signing key, everything else by the zone-signing
    /// key. Records outside the zone (an alias's owner in another domain) stay unsigned: this
    /// zone's key cannot vouch for them.
    public func signed(_ records: [ResourceRecord], window: SignatureWindow) throws -> [ResourceRecord] {
        var sets: [[ResourceRecord]] = []
        for record in records {
            if let index = sets.firstIndex(where: { $0[0].name == record.name && $0[0].data.type == record.data.type }) {
                sets[index].append(record)
            } else {
                sets.append([record])
            }
        }
        var out: [ResourceRecord] = []
        for set in sets {
            guard set[0].name.isSubdomain(of: apex) else { out += set; continue }
            let key = set[0].data.type == .dnskey ? keys.keySigning : keys.zoneSigning
            out += set
            out.append(try key.sign(set, signer: apex, window: window))
        }
        return out
    }

    /// The NSEC that proves `name` has none of the asked type: `types` are those it has, nil
    /// when it does not exist at all (then it lists NXNAME, and the answer's rcode is NOERROR).
    public func denial(of name: DNSName, types: [DNSRecordType]?, ttl: UInt32) -> ResourceRecord {
        let present = (types ?? [.nxname]) + [.rrsig, .nsec]
        return ResourceRecord(name: name, ttl: ttl, data: .nsec(next: name.immediateSuccessor ?? name, types: present))
    }
}
