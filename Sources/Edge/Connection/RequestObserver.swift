import CMCD
import HTTPCore
/// One answered request, as logs and metrics see it.
public struct RequestRecord: Sendable {
    /// The client's address, `-` when unknown.
    public let client: String
    /// Nil when no head could be read (malformed, or too slow to arrive).
    public let head: RequestHead?
    public let status: HTTPStatus
    /// Head and body bytes handed to the socket.
    public let bytesSent: Int64
    public let seconds: Double
    public let cacheStatus: CacheStatus?
    /// The client's coverage zone, when the server knows the zones (edges).
    public let zone: String?
    /// What the client said of itself (CTA-5004), in the query or the CMCD headers.
    public let cmcd: CMCDData?
}

/// Told of every answered request on the connection's event loop, after its last byte was
/// handed to the socket: where the access log, the metrics and per-request features plug in.
/// It must not block: a slow destination queues (see `LineLog`).
public protocol RequestObserver: Sendable {
    func requestFinished(_ record: RequestRecord)
}
