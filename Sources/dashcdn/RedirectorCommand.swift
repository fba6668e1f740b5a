import Addressing
import ArgumentParser
import DNSSEC
import DNSWire
import Foundation
import Logging
import Redirector
import Topology

struct RedirectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redirector",
        abstract: "Send each client to its nearest healthy edge: authoritative DNS, HTTP 302 and DASH content steering.",
        subcommands: [Serve.self, Keygen.self],
        defaultSubcommand: Serve.self)
}

extension RedirectorCommand {
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Run the redirector (the default: `dashcdn redirector --config F` is `dashcdn redirector serve --config F`).",
            discussion: """
            DNS (UDP and TCP) answers for the configured domain: A/AAAA of the routing name, SRV _http._tcp.<routing name> with each edge's port, CNAMEs for the aliases. HTTP: /steering returns a DASH-IF content steering manifest, /healthz the edges' health, any other path a 302 to the chosen edge. Edges are health-checked through their /healthz. One decision log line per answer. Runs until Ctrl-C or SIGTERM.

            Examples:
              dashcdn redirector --config CDNConfig/cdn.yaml
              dig @127.0.0.1 -p 5353 video.cdn.example.test SRV +subnet=127.0.20.0/24
              curl -i --interface 127.0.10.5 http://127.0.0.1:8053/Manifests/sample.mpd
            """)

        @Option(help: "The CDN configuration (YAML).")
        var config = "CDNConfig/cdn.yaml"

        @Option(help: "DNS port (UDP and TCP); default from the configuration.")
        var dnsPort: Int?

        @Option(help: "HTTP port for 302 and steering; default from the configuration.")
        var httpPort: Int?

        func validate() throws {
            for (name, port) in [("--dns-port", dnsPort), ("--http-port", httpPort)] {
                if let port, !(0...65535).contains(port) { throw ValidationError("\(name) must be a port number, 0-65535") }
            }
        }

        func run() async throws {
            let cdn = try CDNConfig.load(path: config)
            let dns = dnsPort.map { ListenAddress(host: cdn.redirector.dns.host, port: $0) }
            let http = httpPort.map { ListenAddress(host: cdn.redirector.http.host, port: $0) }
            let logger = Logger(label: "redirector")
            let redirector = try Redirector(config: cdn, dnsListen: dns, httpListen: http, logger: logger)
            let dnsAddress = ListenAddress(host: cdn.redirector.dns.host, port: redirector.dnsPort)
            let httpAddress = ListenAddress(host: cdn.redirector.http.host, port: redirector.httpPort)
            logger.info("DNS on \(dnsAddress) (UDP+TCP) for \(cdn.domain), HTTP 302 and steering on http://\(httpAddress)")
            await serveUntilInterrupted([redirector])
        }
    }
}

extension RedirectorCommand {
    /// Makes the zone's DNSSEC keys and prints what goes in the parent zone.
    struct Keygen: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "keygen",
            abstract: "Make the zone's DNSSEC keys (ECDSA P-256, algorithm 13): a KSK and a ZSK, and print the DS record for the parent.",
            discussion: """
            Writes ksk.pem and zsk.pem (readable by the owner only) and ds.txt into DIR; refuses to overwrite keys. Set `redirector.dnssec_keys: DIR` in the configuration to sign answers.

            Example:
              dashcdn redirector keygen --dir CDNConfig/keys
            """)

        @Option(help: "The folder for the keys.")
        var dir: String

        @Option(help: "The CDN configuration whose domain the keys sign.")
        var config = "CDNConfig/cdn.yaml"

        func run() async throws {
            let cdn = try CDNConfig.load(path: config)
            guard let owner = DNSName(cdn.domain) else { throw ValidationError("\(config): domain '\(cdn.domain)' is not a DNS name") }
            let keys = ZoneKeys.generate()
            let folder = URL(fileURLWithPath: dir)
            try keys.write(to: folder)
            let records = keys.presentation(owner: owner, ttl: UInt32(max(0, cdn.ttl)))
            try Data((records.ds + "\n").utf8).write(to: folder.appendingPathComponent("ds.txt"))
            say("keygen: \(folder.path)/ksk.pem (key tag \(keys.keySigning.keyTag)), zsk.pem (key tag \(keys.zoneSigning.keyTag))")
            records.dnskeys.forEach(say)
            say(records.ds)
            say("keygen: put the DS record in the parent zone and `dnssec_keys: \(dir)` under `redirector:` in \(config)")
        }
    }
}
