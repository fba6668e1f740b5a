import ArgumentParser
import Edge
import Foundation
import Redirector
import Topology

struct OriginCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "origin",
        abstract: "Serve Manifests/ and Media/ over HTTP as the CDN's origin.",
        discussion: """
        URL layout: /manifests/<title>.mpd serves Manifests/<title>.mpd, /media/<title>/… serves
        Media/<title>/…. Also /healthz (JSON) and /metrics (Prometheus). Runs until Ctrl-C or SIGTERM.

        Examples:
          dashcdn origin --root . --port 8080
          curl -I http://127.0.0.1:8080/manifests/sample.mpd
        """)

    @Option(help: "The folder holding Manifests/ and Media/.")
    var root = "."

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Option(help: "Access log: stdout, off, or a file path.")
    var accessLog = "stdout"

    @Option(help: "Memory for hot files, e.g. 256MB (0: every body goes out with sendfile).")
    var memoryCache = "256MiB"

    func run() throws {
        var limits = ServerLimits()
        limits.accessLog = accessLog
        guard let memory = ByteSize.parse(memoryCache) else {
            throw ValidationError("--memory-cache: expected a size such as 256MB or 1GiB, got '\(memoryCache)'")
        }
        limits.memoryCacheBytes = memory
        let node = try orFail { try CDNNode.origin(root: root, listen: ListenAddress(host: host, port: port), limits: limits) }
        note("origin: serving \(root) on http://\(ListenAddress(host: host, port: node.port))")
        serveUntilSignalled([node])
    }
}

struct EdgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "Run one edge node of a CDN configuration: serve, cache, pull misses from the parent.",
        discussion: """
        The edge listens where the configuration says, keeps its cache in cache_dir under
        cache_max_bytes (LRU), and emulates the configured links. Runs until Ctrl-C or SIGTERM.

        Example:
          dashcdn edge --config CDNConfig/cdn.yaml --name edge-nyc
        """)

    @Option(help: "The CDN configuration (YAML).")
    var config = "CDNConfig/cdn.yaml"

    @Option(help: "Which edge of the configuration to run.")
    var name: String

    func run() throws {
        let cdn = try orFail { try CDNConfig.load(path: config) }
        let node = try orFail { try CDNNode.edge(named: name, config: cdn) }
        note("\(name): listening on http://\(cdn.edge(named: name)!.listen), cache \(node.cache!.folder)")
        serveUntilSignalled([node])
    }
}

struct CDNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdn",
        abstract: "Run a whole CDN configuration from one command.",
        subcommands: [Up.self])

    struct Up: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the origin, every edge and the redirector of a configuration, each on its own port.",
            discussion: """
            Everything stops cleanly on Ctrl-C or SIGTERM.

            Example:
              dashcdn cdn up --config CDNConfig/cdn.yaml
            """)

        @Option(help: "The CDN configuration (YAML).")
        var config = "CDNConfig/cdn.yaml"

        func run() throws {
            let cdn = try orFail { try CDNConfig.load(path: config) }
            var nodes: [any RunningService] = []
            do {
                nodes.append(try CDNNode.origin(config: cdn))
                note("origin: serving \(cdn.origin.root) on http://\(cdn.origin.listen)")
                for edge in cdn.edges {
                    nodes.append(try CDNNode.edge(named: edge.name, config: cdn))
                    note("\(edge.name): listening on http://\(edge.listen), parent \(edge.parent)")
                }
                nodes.append(try startRedirector(cdn, dnsPort: nil, httpPort: nil))
            } catch {
                // A port in use half-way: stop what did start, then report.
                nodes.forEach { $0.stop() }
                fail("\(error)")
            }
            serveUntilSignalled(nodes)
        }
    }
}

/// Runs the error-prone setup, turning a failure into one line on stderr and exit 1.
func orFail<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch { fail("\(error)") }
}

/// A server a command started and stops on a signal.
protocol RunningService {
    var name: String { get }
    func stop()
}

extension CDNNode: RunningService {}

extension Redirector: RunningService {
    var name: String { "redirector" }
}

/// Starts the redirector of `cdn`, with the ports optionally overridden, and says where it listens.
func startRedirector(_ cdn: CDNConfig, dnsPort: Int?, httpPort: Int?) throws -> Redirector {
    let dns = dnsPort.map { ListenAddress(host: cdn.redirector.dns.host, port: $0) }
    let http = httpPort.map { ListenAddress(host: cdn.redirector.http.host, port: $0) }
    let redirector = try Redirector(config: cdn, dnsListen: dns, httpListen: http, events: note)
    let dnsAddress = ListenAddress(host: cdn.redirector.dns.host, port: redirector.dnsPort)
    let httpAddress = ListenAddress(host: cdn.redirector.http.host, port: redirector.httpPort)
    note("redirector: DNS on \(dnsAddress) (UDP+TCP) for \(cdn.domain), HTTP 302 and steering on http://\(httpAddress)")
    return redirector
}

/// Blocks until SIGINT or SIGTERM, then stops every node and exits 0.
func serveUntilSignalled(_ nodes: [any RunningService]) -> Never {
    let done = DispatchSemaphore(value: 0)
    onInterrupt { done.signal() }
    done.wait()
    note("stopping \(nodes.map(\.name).joined(separator: ", "))")
    nodes.forEach { $0.stop() }
    exit(0)
}
