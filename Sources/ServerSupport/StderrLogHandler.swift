import Foundation
import Logging

/// Operational messages (a server started, an edge went down) as the command line shows them:
/// `label: message`, one line on stderr, debug and trace left out unless asked for.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .info
    private let label: String

    public init(label: String) { self.label = label }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        FileHandle.standardError.write(Data("\(label): \(event.message)\n".utf8))
    }
}
