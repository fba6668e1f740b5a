// swift-crypto marks its BoringSSL-backed keys non-Sendable; they are immutable once made, and
// signing with one from several threads is safe.
@preconcurrency import Crypto
import DNSWire
import Foundation

/// One ECDSA P-256 key of a zone (DNSSEC algorithm 13, RFC 6605): a key-signing key, which
/// signs the DNSKEY set and is what the parent's DS names, or a zone-signing key for the rest.
public struct ZoneKey: Sendable {
    public static let algorithm: UInt8 = 13
    public static let zoneKeyFlag: UInt16 = 0x0100
    public static let secureEntryPointFlag: UInt16 = 0x0001

    public let privateKey: P256.Signing.PrivateKey
    public let isKeySigning: Bool

    public init(privateKey: P256.Signing.PrivateKey, isKeySigning: Bool) {
        self.privateKey = privateKey
        self.isKeySigning = isKeySigning
    }

    public var flags: UInt16 { Self.zoneKeyFlag | (isKeySigning ? Self.secureEntryPointFlag : 0) }

    /// The DNSKEY record's data: the public point as x || y, 64 bytes.
    public var dnskey: RecordData {
        .dnskey(flags: flags, algorithm: Self.algorithm, publicKey: Array(privateKey.publicKey.rawRepresentation))
    }

    /// RFC 4034 Appendix B: the ones'-complement-like sum of the DNSKEY RDATA.
    public var keyTag: UInt16 {
        var sum: UInt32 = 0
        for (index, byte) in dnskey.canonicalRDATA.enumerated() {
            sum += index & 1 == 0 ? UInt32(byte) << 8 : UInt32(byte)
        }
        sum += (sum >> 16) & 0xFFFF
        return UInt16(sum & 0xFFFF)
    }

    /// The DS record for the parent (RFC 4509: SHA-256 of the owner and the DNSKEY RDATA).
    public func ds(owner: DNSName) -> RecordData {
        let digest = SHA256.hash(data: owner.key + dnskey.canonicalRDATA)
        return .ds(keyTag: keyTag, algorithm: Self.algorithm, digestType: 2, digest: Array(digest))
    }

    /// The RRSIG over `records` (one RRset: same owner and type), valid in `window`. The records
    /// go in RDATA order, duplicates once (RFC 4034 §6.3).
    public func sign(_ records: [ResourceRecord], signer: DNSName, window: SignatureWindow) throws -> ResourceRecord {
        let first = records[0]
        var data = SignatureData(typeCovered: first.data.type, algorithm: Self.algorithm, labels: UInt8(first.name.labels.count),
                                 originalTTL: first.ttl, expiration: window.expiration, inception: window.inception,
                                 keyTag: keyTag, signer: signer)
        var signed = data.signedPrefix
        let ordered = Set(records.map { ResourceRecord(name: first.name, ttl: first.ttl, data: $0.data) })
            .sorted { $0.data.canonicalRDATA.lexicographicallyPrecedes($1.data.canonicalRDATA) }
        for record in ordered { signed += record.canonicalBytes(ttl: first.ttl) }
        data.signature = Array(try privateKey.signature(for: signed).rawRepresentation)
        return ResourceRecord(name: first.name, ttl: first.ttl, data: .rrsig(data))
    }
}

/// When signatures are valid: from an hour before they are made (clocks disagree), for a week,
/// starting on the hour so that answers rendered within one hour carry the same window.
public struct SignatureWindow: Sendable, Hashable {
    public let inception: UInt32
    public let expiration: UInt32

    public static let lifetime: UInt32 = 7 * 86_400
    static let step: UInt32 = 3600

    public init(now: UInt32) {
        let hour = now - now % Self.step
        inception = hour &- Self.step
        expiration = hour &+ Self.lifetime
    }

    /// The window for the wall clock now (serial-number arithmetic makes 2106 a non-event).
    public static var current: SignatureWindow {
        SignatureWindow(now: UInt32(truncatingIfNeeded: Int64(Date().timeIntervalSince1970)))
    }
}
