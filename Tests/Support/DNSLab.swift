import Foundation
import XCTest

/// `scripts/dns-lab` on the tests' own loopback addresses (a lab a developer runs on the
/// defaults is left alone): Knot with the root, `test.` and `netcinema.test.`, Unbound as the
/// recursive resolver, the CDN's domain delegated to `redirector`.
public final class DNSLab {
    public static let authAddress = "127.0.54.1"
    public static let resolverAddress = "127.0.54.2"
    /// Where a test's redirector listens so that the delegation is followed as on the Internet.
    public static let redirectorAddress = "127.0.54.53"
    public let folder: URL

    /// Skips (with the reason) only where the lab cannot run at all: no root for port 53, or
    /// Knot and Unbound missing and not installable.
    /// `ds`: the CDN's DS record file; the lab is then signed and Unbound validates.
    public init(redirector: String, ds: String? = nil) throws {
        guard getuid() == 0 else { throw XCTSkip("the DNS lab serves on port 53: run the tests as root (CI does)") }
        folder = try Paths.temporaryFolder("dns-lab")
        let run = try runProcess("/bin/bash", [Self.script, "up", "--dir", folder.path, "--redirector", redirector,
                                               "--auth-address", Self.authAddress, "--resolver-address", Self.resolverAddress]
                                               + (ds.map { ["--ds", $0] } ?? []),
                                 timeout: 300)
        guard run.status == 0 else {
            let installed = ["/usr/sbin/knotd", "/usr/sbin/unbound"].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
            if !installed { throw XCTSkip("Knot DNS and Unbound are not installed and could not be: \(run.stderr)") }
            throw TestFailure("scripts/dns-lab up failed: \(run.stdout)\(run.stderr)")
        }
    }

    /// A `delv` trust-anchor file holding the lab root's DS.
    public func rootAnchors() throws -> URL {
        let parts = try String(contentsOf: folder.appendingPathComponent("root.ds"), encoding: .utf8)
            .split(separator: " ").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        guard parts.count == 6 else { throw TestFailure("root.ds: \(parts)") }
        let file = folder.appendingPathComponent("anchors.conf")
        try "trust-anchors {\n  . static-ds \(parts[2]) \(parts[3]) \(parts[4]) \"\(parts[5])\";\n};\n"
            .write(to: file, atomically: true, encoding: .utf8)
        return file
    }

    public func stop() {
        _ = try? runProcess("/bin/bash", [Self.script, "down", "--dir", folder.path], timeout: 30)
    }

    private static var script: String { Paths.repository.appendingPathComponent("scripts/dns-lab").path }

    /// `kdig` with JSON output (RFC 8427) from `source`, asking `server` (the resolver unless told).
    public func dig(_ name: String, _ type: String, server: String = DNSLab.resolverAddress, from source: String? = nil,
                    options: [String] = []) throws -> DigAnswer {
        try DigAnswer.ask(name, type, server: server, from: source, options: options)
    }
}

/// One response as kdig saw it.
public struct DigAnswer {
    public struct Record: Equatable {
        public var name: String
        public var type: String
        public var ttl: Int
        public var data: String
    }

    public var rcode: Int
    public var authoritative: Bool
    public var authenticated: Bool
    public var answers: [Record]
    public var authority: [Record]
    public var additional: [Record]

    /// The data of the answers of `type` (A addresses, CNAME targets …).
    public func data(_ type: String) -> [String] { answers.filter { $0.type == type }.map(\.data) }

    public static func ask(_ name: String, _ type: String, server: String, port: Int = 53, from source: String? = nil,
                           options: [String] = []) throws -> DigAnswer {
        var arguments = ["@\(server)", "-p", "\(port)", name, type, "+json", "+time=2", "+retry=1"] + options
        if let source { arguments += ["-b", source] }
        let run = try runProcess("kdig", arguments, timeout: 20)
        guard run.status == 0, let object = try? JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any] else {
            throw TestFailure("kdig \(arguments.joined(separator: " ")): \(run.stdout)\(run.stderr)")
        }
        func records(_ key: String) -> [Record] {
            (object[key] as? [[String: Any]] ?? []).map { entry in
                let type = entry["TYPEname"] as? String ?? "?"
                let data = entry["rdata\(type)"].map { "\($0)" } ?? entry["RDATAHEX"] as? String ?? ""
                return Record(name: (entry["NAME"] as? String ?? "").lowercased(), type: type, ttl: entry["TTL"] as? Int ?? -1, data: data)
            }
        }
        return DigAnswer(rcode: object["RCODE"] as? Int ?? -1, authoritative: object["AA"] as? Int == 1,
                         authenticated: object["AD"] as? Int == 1, answers: records("answerRRs"),
                         authority: records("authorityRRs"), additional: records("additionalRRs"))
    }
}
