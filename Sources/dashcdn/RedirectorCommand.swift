import Addressing
import ArgumentParser
import Logging
import Redirector
import Topology

struct RedirectorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redirector",
        abstract: "Send each client to its nearest healthy edge: authoritative DNS, HTTP 302 and DASH content steering.",
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
