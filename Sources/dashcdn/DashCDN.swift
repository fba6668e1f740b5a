import ArgumentParser
import Foundation
import Logging
import ServerSupport

@main
struct DashCDN: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dashcdn",
        abstract: "A video-on-demand streaming system: segmenter, CDN edges, redirector and an adaptive player.",
        discussion: """
        Quick start:
          dashcdn sample                      # make Media/sample.mp4
          dashcdn encode Media/sample.mp4     # ladder into Media/sample/, manifest Manifests/sample.mpd
        """,
        subcommands: [SampleCommand.self, EncodeCommand.self, HLSCommand.self, OriginCommand.self, EdgeCommand.self, CDNCommand.self,
                      RedirectorCommand.self, PlayCommand.self, SimulateCommand.self, DemoCommand.self])

    /// Every failure, from the parser or from a command's work, is one line on stderr and exit
    /// status 1; help and `--version` print as ArgumentParser prints them.
    static func main() async {
        LoggingSystem.bootstrap(StderrLogHandler.init(label:))
        do {
            var command = try parseAsRoot()
            if var asynchronous = command as? AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .success { exit(withError: error) }
            let message = message(for: error).split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("dashcdn: error: \(message)\n".utf8))
            exit(withError: ExitCode.failure)
        }
    }
}

/// Writes a line to stderr (progress and notices, so stdout stays clean for results).
@Sendable func note(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// A line on stdout, written at once so that records appear as segments arrive.
@Sendable func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
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

/// On Ctrl-C or SIGTERM: `cleanup` (remove half-written output, stop servers), `message`, then
/// exit with status 130 as a shell does for an interrupted command.
func cleanUpAndExitOnInterrupt(_ message: String, _ cleanup: @escaping @Sendable () -> Void) {
    onInterrupt {
        cleanup()
        note(message)
        exit(130)
    }
}

/// Returns at the first Ctrl-C or SIGTERM.
func untilInterrupted() async {
    let resumed = ResumeOnce()
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        onInterrupt { if resumed.first() { continuation.resume() } }
    }
}

/// A continuation must be resumed once; a second signal finds it done.
private final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var done = false

    func first() -> Bool {
        lock.withLock {
            defer { done = true }
            return !done
        }
    }
}

enum SignalSources {
    nonisolated(unsafe) static var keep: [DispatchSourceSignal] = []
}
