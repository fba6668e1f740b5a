import CMCD
import HTTPCore
import NIOCore

/// The bytes of a response head: the plan's status and headers plus what the connection adds
/// (Server, Date, X-Cache, CMSD-Dynamic, Content-Length, Connection). Pure apart from the date.
enum ResponseHeadEncoder {
    /// The same on every answer: written once, copied into each head.
    private static let corsLines = ReadOnlyResource.corsHeaders.map { "\($0.name): \($0.value)\r\n" }.joined()

    static func encode(_ response: Response, close: Bool, http10KeepAlive: Bool, serverData: CMSDDynamic? = nil,
                       into out: inout ByteBuffer) {
        let plan = response.plan
        out.writeString(plan.status.statusLine)
        out.writeStaticString("Server: dashcdn\r\nDate: ")
        out.writeString(HTTPDate.now())
        out.writeStaticString("\r\n")
        for header in plan.headers {
            out.writeString(header.name)
            out.writeStaticString(": ")
            out.writeString(header.value)
            out.writeStaticString("\r\n")
        }
        if plan.crossOrigin { out.writeString(Self.corsLines) }
        if let cache = response.cacheStatus {
            out.writeStaticString("X-Cache: ")
            out.writeString(cache.rawValue)
            out.writeStaticString("\r\n")
        }
        if let serverData {
            out.writeStaticString("CMSD-Dynamic: ")
            out.writeString(serverData.headerValue)
            out.writeStaticString("\r\n")
        }
        if plan.contentLength >= 0 { out.writeString("Content-Length: \(plan.contentLength)\r\n") }
        if close {
            out.writeStaticString("Connection: close\r\n")
        } else if http10KeepAlive {
            out.writeStaticString("Connection: keep-alive\r\n")
        }
        out.writeStaticString("\r\n")
    }
}
