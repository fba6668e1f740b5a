/// What an HTTP server of the CDN is, as /healthz reports it.
public enum NodeRole: String, Sendable, Codable {
    case origin
    case edge
}
