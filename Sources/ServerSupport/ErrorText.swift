import AsyncHTTPClient
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#endif

/// A bind or socket error in words for a one-line message ("address already in use").
public func socketErrorText(_ error: Error) -> String {
    if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
    return "\(error)"
}

/// A problem with how a server was set up (an address it cannot listen on, a log it cannot
/// open), worded for one line on stderr.
public struct ServerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// What went wrong with an HTTP request to a peer, as a predicate to follow its name
/// ("127.0.0.1:8082 refused the connection"): AsyncHTTPClient's and NIO's errors in words.
public func requestFailureText(_ error: Error) -> String {
    if let client = error as? HTTPClientError {
        switch client {
        case .connectTimeout: return "did not accept the connection in time"
        case .readTimeout: return "stopped sending (read timeout)"
        case .deadlineExceeded: return "did not answer in time"
        case .remoteConnectionClosed: return "closed the connection"
        default: return "failed: \(client)"
        }
    }
    if error is CancellationError { return "was given up on (cancelled)" }
    if isConnectionRefused(error) { return "refused the connection" }
    if "\(error)".contains("reset") { return "reset the connection" }
    return "failed: \(socketErrorText(error))"
}

/// Nothing listens there: the peer is gone, not slow.
public func isConnectionRefused(_ error: Error) -> Bool {
    if error is NIOConnectionError { return true }
    let text = "\(error)"
    return text.contains("connectionRefused") || text.contains("Connection refused")
}
