/// What every server here answers before looking at the path: GET and HEAD are served, OPTIONS
/// is a CORS preflight, anything else is 405. And the CORS headers every answer carries, so
/// that browser players (dash.js, hls.js, Shaka) on any page can read it.
public enum ReadOnlyResource {
    public enum Verdict: Equatable {
        case serve
        case preflight
        case notAllowed
    }

    public static func verdict(for method: HTTPMethod) -> Verdict {
        switch method {
        case .get, .head: return .serve
        case .options: return .preflight
        case .other: return .notAllowed
        }
    }

    public static let allowedMethods = "GET, HEAD, OPTIONS"

    /// On every answer. Timing-Allow-Origin lets a page's player read the Resource Timing of
    /// each request (dash.js measures throughput with it; without it every timing reads 0); the
    /// exposed CMSD headers are what the edge says of the object and of its path to the player.
    public static let corsHeaders: [(name: String, value: String)] = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", "Content-Range, Content-Length, ETag, Date, X-Cache, CMSD-Static, CMSD-Dynamic"),
        ("Timing-Allow-Origin", "*"),
    ]

    /// The 204 answer to a preflight: the read methods, Range, the conditional headers, the CMCD
    /// headers (CTA-5004 header mode), and whatever else the browser asks to send.
    public static func preflightHeaders(requested: String?) -> [(name: String, value: String)] {
        let asked = requested.map { ", " + $0 } ?? ""
        return [
            ("Allow", allowedMethods),
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", allowedMethods),
            ("Access-Control-Allow-Headers",
             "Range, If-None-Match, If-Modified-Since, If-Range, CMCD-Object, CMCD-Request, CMCD-Session, CMCD-Status\(asked)"),
            ("Access-Control-Max-Age", "86400"),
        ]
    }

    /// Beside the 405.
    public static let notAllowedHeaders: [(name: String, value: String)] = [("Allow", allowedMethods)]
}
