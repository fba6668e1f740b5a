import ArgumentParser
import Foundation

@main
struct DashCDN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashcdn",
        abstract: "A video-on-demand streaming system: segmenter, CDN edges, redirector and an adaptive player.",
        discussion: """
        Quick start:
          dashcdn sample                      # make Media/sample.mp4
          dashcdn encode Media/sample.mp4     # ladder into Media/sample/, manifest Manifests/sample.mpd
        """,
        subcommands: [SampleCommand.self, EncodeCommand.self, OriginCommand.self, EdgeCommand.self, CDNCommand.self,
                      RedirectorCommand.self,
                      PlayCommand.self, SimulateCommand.self, DemoCommand.self])
}

/// One line on stderr and a non-zero exit: what every command does on bad input.
func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("dashcdn: error: \(message)\n".utf8))
    exit(1)
}

/// Writes a line to stderr (progress and notices, so stdout stays clean for results).
@Sendable func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Runs `handler` on Ctrl-C or SIGTERM (instead of dying at once), on a background queue.
func onInterrupt(_ handler: @escaping @Sendable () -> Void) {
    for sig in [SIGINT, SIGTERM] {
        signal(sig, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
        source.setEventHandler(handler: handler)
        source.resume()
        SignalSources.keep.append(source)
    }
}

/// On Ctrl-C or SIGTERM, remove half-written output before exiting.
func removePartialOutputOnInterrupt(_ cleanup: @escaping @Sendable () -> Void) {
    onInterrupt {
        cleanup()
        note("\ndashcdn: interrupted; partial output removed")
        exit(130)
    }
}

enum SignalSources {
    nonisolated(unsafe) static var keep: [DispatchSourceSignal] = []
}
