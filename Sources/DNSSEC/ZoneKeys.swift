// swift-crypto marks its BoringSSL-backed keys non-Sendable; they are immutable once made, and
// signing with one from several threads is safe.
@preconcurrency import Crypto
import DNSWire
import Foundation

/// A zone's key pair as kept on disk: `ksk.pem` and `zsk.pem` (PKCS#8) in one folder, made by
/// `dashcdn redirector keygen` and named by `redirector.dnssec_keys`.
public struct ZoneKeys: Sendable {
    public let keySigning: ZoneKey
    public let zoneSigning: ZoneKey

    static let kskFile = "ksk.pem"
    static let zskFile = "zsk.pem"

    public init(keySigning: ZoneKey, zoneSigning: ZoneKey) {
        self.keySigning = keySigning
        self.zoneSigning = zoneSigning
    }

    /// Two fresh keys.
    public static func generate() -> ZoneKeys {
        ZoneKeys(keySigning: ZoneKey(privateKey: P256.Signing.PrivateKey(), isKeySigning: true),
                 zoneSigning: ZoneKey(privateKey: P256.Signing.PrivateKey(), isKeySigning: false))
    }

    /// Writes both keys, readable by the owner only; refuses to overwrite keys already there
    /// (a zone whose keys change under a published DS stops validating).
    public func write(to folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, key) in [(Self.kskFile, keySigning), (Self.zskFile, zoneSigning)] {
            let path = folder.appendingPathComponent(name).path
            guard !FileManager.default.fileExists(atPath: path) else {
                throw KeyError("\(path) exists already; move it away to make new keys")
            }
            guard FileManager.default.createFile(atPath: path, contents: Data(key.privateKey.pemRepresentation.utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                throw KeyError("cannot write \(path)")
            }
        }
    }

    public static func load(from folder: URL) throws -> ZoneKeys {
        func key(_ name: String, keySigning: Bool) throws -> ZoneKey {
            let path = folder.appendingPathComponent(name).path
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw KeyError("\(path): cannot read the key (make keys with `dashcdn redirector keygen --dir \(folder.path)`)")
            }
            do {
                return ZoneKey(privateKey: try P256.Signing.PrivateKey(pemRepresentation: text), isKeySigning: keySigning)
            } catch {
                throw KeyError("\(path): not an ECDSA P-256 private key in PEM")
            }
        }
        return ZoneKeys(keySigning: try key(kskFile, keySigning: true), zoneSigning: try key(zskFile, keySigning: false))
    }

    /// The apex's DNSKEY set.
    public var dnskeys: [RecordData] { [keySigning.dnskey, zoneSigning.dnskey] }
}

public struct KeyError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

extension ZoneKeys {
    /// The records an operator copies: the DNSKEY set for the zone, and the DS (of the
    /// key-signing key) for the parent, in zone-file syntax.
    public func presentation(owner: DNSName, ttl: UInt32) -> (dnskeys: [String], ds: String) {
        let dnskeys = [keySigning, zoneSigning].map { key -> String in
            let publicKey = Data(key.privateKey.publicKey.rawRepresentation).base64EncodedString()
            return "\(owner) \(ttl) IN DNSKEY \(key.flags) 3 \(ZoneKey.algorithm) \(publicKey)"
        }
        guard case let .ds(tag, algorithm, digestType, digest) = keySigning.ds(owner: owner) else { return (dnskeys, "") }
        let hex = digest.map { String(format: "%02X", $0) }.joined()
        return (dnskeys, "\(owner) IN DS \(tag) \(algorithm) \(digestType) \(hex)")
    }
}
