import Addressing
import DNSWire

/// Server cookies as RFC 9018 makes them: version 1, three reserved bytes, the time it was made
/// and SipHash-2-4 of the client cookie, those eight bytes and the client's address under the
/// server's secret. A client that returns one has shown it receives at its address: its queries
/// are not spoofed, so rate limiting and the amplification cap leave it alone.
public struct ServerCookies: Sendable {
    let secret: [UInt8]
    /// A cookie is accepted for an hour after it was made and up to five minutes ahead (clock
    /// skew between servers sharing the secret), RFC 9018 §4.3.
    static let lifetime: UInt32 = 3600
    static let allowedSkew: UInt32 = 300

    public init(secret: [UInt8]) {
        precondition(secret.count == 16, "a 128-bit secret")
        self.secret = secret
    }

    /// A fresh secret each start: clients just learn a new cookie.
    public static func random() -> ServerCookies {
        var generator = SystemRandomNumberGenerator()
        return ServerCookies(secret: (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) })
    }

    /// The 16-byte server cookie for `client` made at `now` (seconds since 1970).
    public func make(for clientCookie: [UInt8], client: IPAddress, now: UInt32) -> [UInt8] {
        let head: [UInt8] = [1, 0, 0, 0, UInt8(now >> 24), UInt8((now >> 16) & 0xFF), UInt8((now >> 8) & 0xFF), UInt8(now & 0xFF)]
        let hash = SipHash24.hash(key: secret, message: clientCookie + head + client.bytes)
        return head + (0..<8).map { UInt8((hash >> (8 * UInt64($0))) & 0xFF) }
    }

    /// Whether `cookie` carries a server cookie this server made for `client`, still in date.
    public func isValid(_ cookie: DNSCookie, client: IPAddress, now: UInt32) -> Bool {
        guard let server = cookie.server, server.count == 16, server[0] == 1 else { return false }
        let made = server[4...7].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        let age = now &- made
        guard age <= Self.lifetime || made &- now <= Self.allowedSkew else { return false }
        return make(for: cookie.client, client: client, now: made) == server
    }
}
