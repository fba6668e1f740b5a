import ABR
import Addressing
import ArgumentParser
import Foundation
import Player
import Topology

struct PlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play an MPD in real time through the CDN with an ABR rule, logging buffer and bitrate.",
        discussion: """
        A headless player: it fetches the MPD, downloads video (level chosen per segment by the ABR rule) and audio side by side over persistent connections, drains a playout buffer in real time, abandons downloads that would stall, and fails over to another edge on errors. One line per video segment on stdout, events on stderr, a QoE summary at the end.

        How the edge is found:
          (default)      the URL as given; several BaseURLs in the MPD are fallbacks
          --dns S:P      SRV records _http._tcp.<URL host> from the DNS server S:P
          --redirect     the URL is the redirector's; its 302 names the edge
          --steering     the MPD's ContentSteering server orders its BaseURLs

        Examples:
          dashcdn play http://127.0.0.1:8081/Manifests/sample.mpd
          dashcdn play http://video.cdn.example.test/Manifests/sample.mpd \\
            --dns 127.0.0.1:5353 --source-address 127.0.20.5
          dashcdn play http://video.netcinema.test:8081/Manifests/sample.mpd \\
            --resolver 127.0.53.2:53 --source-address 127.0.20.5   # scripts/dns-lab up
          dashcdn play http://127.0.0.1:8053/Manifests/sample.mpd --redirect \\
            --abr bola --plot bola.svg
          dashcdn play http://127.0.0.1:8080/Manifests/sample.steering.mpd --steering \\
            --jsonl session.jsonl
        """)

    @Argument(help: "The http:// URL of an MPD or of an HLS multivariant playlist (.m3u8).", transform: PlayCommand.httpURL)
    var url: URL

    @Option(help: "throughput, bba, bola, robustmpc, dynamic, default, several separated by commas, or all (played one after another).",
            transform: RuleName.parse)
    var abr: [RuleName] = [.default]

    @Option(help: ArgumentHelp("Find edges through this DNS server (HOST:PORT) by SRV lookup of the URL's host.", valueName: "server"),
            transform: DNSServerAddress.init(parsing:))
    var dns: DNSServerAddress?

    @Option(help: ArgumentHelp("Resolve the URL's host through this recursive resolver (HOST:PORT), as a viewer's device does: SRV where the name has one, else A/AAAA.", valueName: "server"),
            transform: DNSServerAddress.init(parsing:))
    var resolver: DNSServerAddress?

    @Flag(help: "The URL is the redirector's HTTP address; follow its 302 to an edge.")
    var redirect = false

    @Flag(help: "Use the MPD's DASH content steering server to order its BaseURLs.")
    var steering = false

    @Option(help: "Bind the player's sockets to this local address (e.g. 127.0.20.5) so the CDN sees it in a zone.")
    var sourceAddress: String?

    @Option(help: "Seconds of video to buffer before pausing downloads.")
    var maxBuffer = 30.0

    @Option(help: "Common Media Client Data (CTA-5004) with every request: query (the CMCD parameter), header, or off.")
    var cmcd = CMCDMode.query

    @Flag(help: "Count the edge's CMSD-Dynamic throughput estimate (etp) as one more throughput sample for the ABR rule.")
    var cmsdEtp = false

    @OptionGroup var log: SessionLogOptions

    func validate() throws {
        guard [dns != nil, resolver != nil, redirect, steering].filter({ $0 }).count <= 1 else {
            throw ValidationError("choose one of --dns, --resolver, --redirect and --steering")
        }
        guard maxBuffer >= 2, maxBuffer.isFinite else { throw ValidationError("--max-buffer must be at least 2 seconds") }
        if let sourceAddress, IPAddress(sourceAddress) == nil {
            throw ValidationError("--source-address \(sourceAddress) is not an IP address")
        }
        guard abr.count == 1 || log.isEmpty else {
            throw ValidationError("--plot, --csv and --jsonl describe one session: name one rule with --abr")
        }
    }

    func run() async throws {
        var reports: [(RuleName, LiveReport)] = []
        for rule in abr {
            var settings = PlaySettings(mode: mode, sourceAddress: sourceAddress, maxBuffer: maxBuffer)
            settings.rule = rule
            settings.cmcd = cmcd
            settings.serverThroughput = cmsdEtp
            reports.append((rule, try await play(settings: settings)))
        }
        if reports.count > 1 { printComparison(reports) }
    }

    private var mode: RoutingMode {
        if let dns { return .dns(server: dns.host, port: dns.port) }
        if let resolver { return .resolver(server: resolver.host, port: resolver.port) }
        if redirect { return .redirect }
        if steering { return .steering }
        return .direct
    }

    private static func httpURL(_ text: String) throws -> URL {
        guard let url = URL(string: text), url.scheme == "http", url.host != nil else {
            throw ValidationError("expected an http:// URL")
        }
        return url
    }

    private func play(settings: PlaySettings) async throws -> LiveReport {
        say("# \(settings.rule.rawValue): playing \(url.absoluteString) \(describe(settings.mode))"
              + (settings.sourceAddress.map { " from \($0)" } ?? "") + ", max buffer \(Int(settings.maxBuffer)) s")
        let started = Date()
        let session = LiveSession(url: url, settings: settings,
                                  onRecord: { say($0.humanLine) },
                                  log: { note(String(format: "%8.2fs  %@", Date().timeIntervalSince(started), $0)) })
        let report = try await session.run()
        say(report.summary.humanText)
        say("edges used      \(report.edges.joined(separator: ", "))")
        if let audio = report.audioKbps { say("audio           \(report.audioSegments) segments, \(Int(audio)) kbps") }
        if report.skippedSegments > 0 { say("skipped         \(report.skippedSegments) segments missing on every edge") }
        try log.files
            .write(records: report.records, summary: report.summary,
                   title: "\(settings.rule.rawValue): \(url.lastPathComponent)", maxBuffer: settings.maxBuffer)
        return report
    }

    private func describe(_ mode: RoutingMode) -> String {
        switch mode {
        case .direct: return "directly"
        case .dns(let server, let port): return "via DNS \(server):\(port)"
        case .resolver(let server, let port): return "through the resolver \(server):\(port)"
        case .redirect: return "via the redirector's 302"
        case .steering: return "with content steering"
        }
    }

    private func printComparison(_ reports: [(RuleName, LiveReport)]) {
        say("\nrule        mean kbps  switches  stalls  stall s  QoE_lin")
        for (rule, report) in reports {
            let s = report.summary
            say(String(format: "%-10@ %10.0f %9d %7d %8.2f %8.2f", rule.rawValue, s.meanBitrateKbps, s.switches, s.stalls, s.stallTime, s.qoeLin))
        }
    }
}
