import Addressing
import ArgumentParser
import CDN
import Edge
import Redirector
import ServerSupport
import Topology

struct OriginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "origin",
        abstract: "Serve Manifests/ and Media/ over HTTP as the CDN's origin.",
        discussion: """
        URL layout: the paths on disk, /Manifests/<title>.mpd and /Media/<title>/… (lowercase /manifests/ and /media/ are served too). Also /healthz (JSON) and /metrics (Prometheus). Runs until Ctrl-C or SIGTERM.

        Examples:
          dashcdn origin --root . --port 8080
          curl -I http://127.0.0.1:8080/Manifests/sample.mpd
        """)

    @Option(help: "The folder holding Manifests/ and Media/.")
    var root = "."

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on.")
    var port = 8080

    @Option(help: "Access log: stdout, off, or a file path.")
    var accessLog = LogDestination.standardOutput

    @Option(help: "Access log lines: combined (nginx's, plus duration and cache status) or json (one object a line, with CMCD).")
    var accessLogFormat = AccessLogFormat.combined

    @Option(help: "Memory for hot files, e.g. 256MB (0: every body goes out with sendfile).")
    var memoryCache = ByteCount(argument: "256MiB")!

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be a port number, 0-65535") }
    }

    func run() async throws {
        var limits = ServerLimits()
        limits.accessLog = accessLog
        limits.accessLogFormat = accessLogFormat
        limits.memoryCacheBytes = memoryCache.bytes
        let node = try CDNNode.origin(root: root, listen: ListenAddress(host: host, port: port), limits: limits)
        note("origin: serving \(root) on http://\(ListenAddress(host: host, port: node.port))")
        await serveUntilInterrupted([node])
    }
}

struct EdgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "edge",
        abstract: "Run one edge node of a CDN configuration: serve, cache, pull misses from the parent.",
        discussion: """
        The edge listens where the configuration says, keeps its cache in cache_dir under cache_max_bytes (LRU), and emulates the configured links. Runs until Ctrl-C or SIGTERM.

        Example:
          dashcdn edge --config CDNConfig/cdn.yaml --name edge-nyc
        """)

    @Option(help: "The CDN configuration (YAML).")
    var config = "CDNConfig/cdn.yaml"

    @Option(help: "Which edge of the configuration to run.")
    var name: String

    func run() async throws {
        let cdn = try CDNConfig.load(path: config)
        let node = try CDNNode.edge(named: name, config: cdn)
        note("\(name): listening on http://\(cdn.edge(named: name)!.listen), cache \(node.cache!.folder)")
        await serveUntilInterrupted([node])
    }
}

struct CDNCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cdn",
        abstract: "Run a whole CDN configuration from one command.",
        subcommands: [Up.self])

    struct Up: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start the origin, every edge and the redirector of a configuration, each on its own port.",
            discussion: """
            Port 0 in the configuration picks a free port. Everything stops cleanly on Ctrl-C or SIGTERM.

            Example:
              dashcdn cdn up --config CDNConfig/cdn.yaml
            """)

        @Option(help: "The CDN configuration (YAML).")
        var config = "CDNConfig/cdn.yaml"

        func run() async throws {
            let cdn = try RunningCDN(config: try CDNConfig.load(path: config))
            await serveUntilInterrupted([cdn])
        }
    }
}

/// A server a command started and stops on a signal.
protocol RunningService {
    var name: String { get }
    func stop()
}

extension CDNNode: RunningService {}

extension RunningCDN: RunningService {
    var name: String { "the CDN" }
}

extension Redirector: RunningService {
    var name: String { "redirector" }
}

/// Serves until SIGINT or SIGTERM, then stops every node.
func serveUntilInterrupted(_ nodes: [any RunningService]) async {
    await untilInterrupted()
    note("stopping \(nodes.map(\.name).joined(separator: ", "))")
    nodes.forEach { $0.stop() }
}
