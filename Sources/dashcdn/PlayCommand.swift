import ArgumentParser
import Foundation
import Player
import Topology

struct PlayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "play",
        abstract: "Play an MPD in real time through the CDN with an ABR rule, logging buffer and bitrate.",
        discussion: """
        A headless player: it fetches the MPD, downloads video (level chosen per segment by the ABR
        rule) and audio side by side over persistent connections, drains a playout buffer in real
        time, abandons downloads that would stall, and fails over to another edge on errors. One
        line per video segment on stdout, events on stderr, a QoE summary at the end.

        How the edge is found:
          (default)      the URL as given; several BaseURLs in the MPD are fallbacks
          --dns S:P      SRV records _http._tcp.<URL host> from the DNS server S:P
          --redirect     the URL is the redirector's; its 302 names the edge
          --steering     the MPD's ContentSteering server orders its BaseURLs

        Examples:
          dashcdn play http://127.0.0.1:8081/manifests/sample.mpd
          dashcdn play http://video.cdn.example.test/manifests/sample.mpd --dns 127.0.0.1:5353 --source-address 127.0.20.5
          dashcdn play http://127.0.0.1:8053/manifests/sample.mpd --redirect --abr bola --plot bola.svg
          dashcdn play http://127.0.0.1:8080/manifests/sample.steering.mpd --steering --jsonl session.jsonl
        """)

    @Argument(help: "The MPD's http:// URL.")
    var url: String

    @Option(help: "throughput, bba, bola, robustmpc, dynamic, default, several separated by commas, or all (played one after another).")
    var abr = "default"

    @Option(help: "Find edges through this DNS server (HOST:PORT) by SRV lookup of the URL's host.")
    var dns: String?

    @Flag(help: "The URL is the redirector's HTTP address; follow its 302 to an edge.")
    var redirect = false

    @Flag(help: "Use the MPD's DASH content steering server to order its BaseURLs.")
    var steering = false

    @Option(help: "Bind the player's sockets to this local address (e.g. 127.0.20.5) so the CDN sees it in a zone.")
    var sourceAddress: String?

    @Option(help: "Seconds of video to buffer before pausing downloads.")
    var maxBuffer = 30.0




    @OptionGroup var log: SessionLogOptions

    func run() throws {
        do {
            let rules = try RuleName.parse(abr)
            let settings = try playSettings()
            guard let target = URL(string: url), target.scheme == "http", target.host != nil else {
                throw PlayerError("\(url) is not an http:// URL")
            }
            guard rules.count == 1 || log.isEmpty else {
                throw PlayerError("--plot, --csv and --jsonl describe one session: name one rule with --abr")
            }
            var reports: [(RuleName, LiveReport)] = []
            for rule in rules {
                var ruleSettings = settings
                ruleSettings.rule = rule
                reports.append((rule, try play(target, settings: ruleSettings)))
            }
            if reports.count > 1 { printComparison(reports) }
        } catch let error as PlayerError {
            fail(error.description)
        } catch let error as CleanExit {
            throw error
        } catch {
            fail("\(error)")  // a socket or client failure below the player's own wording
        }
    }

    private func playSettings() throws -> PlaySettings {
        guard [dns != nil, redirect, steering].filter({ $0 }).count <= 1 else {
            throw PlayerError("choose one of --dns, --redirect and --steering")
        }
        guard maxBuffer >= 2, maxBuffer.isFinite else { throw PlayerError("--max-buffer must be at least 2 seconds") }
        if let sourceAddress, IPAddress(sourceAddress) == nil {
            throw PlayerError("--source-address \(sourceAddress) is not an IP address")
        }
        var mode = RoutingMode.direct
        if let dns {
            let parts = dns.split(separator: ":")
            guard parts.count == 2, let port = Int(parts[1]), (1...65535).contains(port), IPAddress(String(parts[0]))?.isIPv4 == true else {
                throw PlayerError("--dns \(dns): expected IPv4-ADDRESS:PORT, e.g. 127.0.0.1:5353")
            }
            mode = .dns(server: String(parts[0]), port: port)
        } else if redirect {
            mode = .redirect
        } else if steering {
            mode = .steering
        }
        return PlaySettings(mode: mode, sourceAddress: sourceAddress, maxBuffer: maxBuffer)
    }

    private func play(_ target: URL, settings: PlaySettings) throws -> LiveReport {
        say("# \(settings.rule.rawValue): playing \(target.absoluteString) \(describe(settings.mode))"
              + (settings.sourceAddress.map { " from \($0)" } ?? "") + ", max buffer \(Int(settings.maxBuffer)) s")
        let started = Date()
        let session = LiveSession(url: target, settings: settings,
                                  onRecord: { say($0.humanLine) },
                                  log: { note(String(format: "%8.2fs  %@", Date().timeIntervalSince(started), $0)) })
        let report = try runAsync { try await session.run() }
        say(report.summary.humanText)
        say("edges used      \(report.edges.joined(separator: ", "))")
        if let audio = report.audioKbps { say("audio           \(report.audioSegments) segments, \(Int(audio)) kbps") }
        if report.skippedSegments > 0 { say("skipped         \(report.skippedSegments) segments missing on every edge") }
        try log.files
            .write(records: report.records, summary: report.summary,
                   title: "\(settings.rule.rawValue): \(target.lastPathComponent)", maxBuffer: settings.maxBuffer)
        return report
    }

    private func describe(_ mode: RoutingMode) -> String {
        switch mode {
        case .direct: return "directly"
        case .dns(let server, let port): return "via DNS \(server):\(port)"
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

/// A line on stdout, written at once so that records appear as segments arrive.
@Sendable func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Runs async work from a synchronous command and returns its result.
func runAsync<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, Error>?
}
