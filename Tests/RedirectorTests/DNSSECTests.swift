import Crypto
import DNSSEC
import DNSWire
import Foundation
import TestSupport
import XCTest

/// Online signing checked two ways: the key arithmetic against RFC 6605's published example, and
/// the running redirector's answers validated by BIND's `delv` with the zone's key as trust anchor.
final class DNSSECTests: XCTestCase {
    func testKeyTagAndDSMatchRFC6605sExample() throws {
        // RFC 6605 §6.1: the KSK of example.net., its DNSKEY and its DS.
        let secret = try XCTUnwrap(Data(base64Encoded: "GU6SnQ/Ou+xC5RumuIUIuJZteXT2z0O/ok1s38Et6mQ="))
        let key = ZoneKey(privateKey: try P256.Signing.PrivateKey(rawRepresentation: secret), isKeySigning: true)
        guard case let .dnskey(flags, algorithm, publicKey) = key.dnskey else { return XCTFail("not a DNSKEY") }
        XCTAssertEqual(flags, 257)
        XCTAssertEqual(algorithm, 13)
        XCTAssertEqual(Data(publicKey).base64EncodedString(),
                       "GojIhhXUN/u4v54ZQqGSnyhWJwaubCvTmeexv7bR6edbkrSqQpF64cYbcB7wNcP+e+MAnLr+Wi9xMWyQLc8NAA==")
        XCTAssertEqual(key.keyTag, 55648)
        guard case let .ds(tag, _, digestType, digest) = key.ds(owner: DNSName("example.net")!) else { return XCTFail("not a DS") }
        XCTAssertEqual(tag, 55648)
        XCTAssertEqual(digestType, 2)
        XCTAssertEqual(digest.map { String(format: "%02x", $0) }.joined(),
                       "b4c8c1fe2e7477127b27115656ad6256f424625bf5c1e2770ce6d6e37df61d17")
    }

    func testTheTypeBitmapAndCompactDenialAreWrittenAsTheRFCsSay() throws {
        let name = DNSName("nothing.cdn.example.test")!
        let signer = ZoneSigner(apex: DNSName("cdn.example.test")!, keys: .generate())
        let denial = signer.denial(of: name, types: nil, ttl: 20)
        // next name \000.nothing…, then window 0 with RRSIG(46), NSEC(47), NXNAME(128): 17 bytes of bitmap.
        let rdata = denial.data.canonicalRDATA
        XCTAssertEqual(Array(rdata.prefix(2)), [1, 0])
        let bitmap = Array(rdata.dropFirst(name.wire.count + 2))
        XCTAssertEqual(bitmap.count, 2 + 17)
        XCTAssertEqual(Array(bitmap.prefix(2)), [0, 17])
        XCTAssertEqual(bitmap[2 + 5], 0x03, "RRSIG and NSEC: bits 46 and 47")
        XCTAssertEqual(bitmap[2 + 16], 0x80, "NXNAME: bit 128")
    }

    func testDelvValidatesEveryKindOfAnswerWithTheZonesKeyAsTrustAnchor() throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/delv") else { throw XCTSkip("delv is missing: run scripts/bootstrap") }
        let folder = try Paths.temporaryFolder("dnssec-keys")
        let keyFolder = folder.appendingPathComponent("keys")
        let keygen = try dashcdn(["redirector", "keygen", "--dir", keyFolder.path, "--config", try Self.configFile(in: folder)])
        XCTAssertEqual(keygen.status, 0, keygen.stderr)
        XCTAssertTrue(keygen.stdout.contains("IN DS "), keygen.stdout)
        let again = try dashcdn(["redirector", "keygen", "--dir", keyFolder.path, "--config", try Self.configFile(in: folder)])
        XCTAssertNotEqual(again.status, 0, "keys are never overwritten")
        XCTAssertEqual(again.stderr.split(separator: "\n").count, 1, again.stderr)

        let fixture = try RedirectorFixture(name: "dnssec-redirector", dnssecKeys: keyFolder.path)
        defer { fixture.stop() }
        let ksk = try XCTUnwrap(keygen.stdout.split(separator: "\n").first { $0.contains("DNSKEY 257 ") })
        let publicKey = ksk.split(separator: " ").last!
        let anchors = folder.appendingPathComponent("anchors.conf")
        try "trust-anchors {\n  cdn.example.test. static-key 257 3 13 \"\(publicKey)\";\n};\n"
            .write(to: anchors, atomically: true, encoding: .utf8)
        func delv(_ name: String, _ type: String) throws -> String {
            let run = try runProcess("delv", ["@127.0.0.1", "-p", "\(fixture.redirector.dnsPort)", "-a", anchors.path,
                                              "+root=cdn.example.test", name, type], timeout: 20)
            return run.stdout + run.stderr
        }
        for (name, type) in [("video.cdn.example.test", "A"), ("_http._tcp.video.cdn.example.test", "SRV"),
                             ("cdn.example.test", "SOA"), ("cdn.example.test", "NS"), ("cdn.example.test", "DNSKEY"),
                             ("edge-chi.cdn.example.test", "A")] {
            let output = try delv(name, type)
            XCTAssertTrue(output.contains("; fully validated"), "\(name) \(type):\n\(output)")
        }
        for (name, type) in [("nothing.cdn.example.test", "A"), ("video.cdn.example.test", "TXT"), ("_tcp.video.cdn.example.test", "A")] {
            let output = try delv(name, type)
            XCTAssertTrue(output.contains("negative response, fully validated"), "\(name) \(type):\n\(output)")
        }
        // Without DO the answer is as before: no signatures.
        XCTAssertFalse(try fixture.dig(["video.cdn.example.test", "A"]).contains("RRSIG"))
        XCTAssertTrue(try fixture.dig(["video.cdn.example.test", "A", "+dnssec"]).contains("RRSIG"))
    }

    private static func configFile(in folder: URL) throws -> String {
        let file = folder.appendingPathComponent("cdn.yaml")
        try TestTopology.yaml(edgePorts: [1, 2, 3]).write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }
}
