import HTTPCore
/// What the request decoder hands the stages above it, one request at a time.
enum RequestEvent: Equatable {
    case head(RequestHead)
    /// Bytes of a head that is not whole yet wait in the buffer: the header timeout starts.
    case partialHead
    /// The request cannot be served (malformed, too large, too slow): answer with this status
    /// and close.
    case refused(HTTPStatus)
}

/// Sent outbound by the responder when a response has been handed to the channel in full, so
/// that the pipelining stage can let the next request through.
struct ResponseComplete {
    /// The connection closes after this response; nothing else will be read.
    let close: Bool
}
