/// Maps a request target onto a file under the server's root, following the URL layout
/// (`/manifests/<title>.mpd` → `Manifests/<title>.mpd`, `/media/<title>/…` → `Media/<title>/…`),
/// and refuses every way of naming something outside it: dot segments raw or percent-encoded,
/// encoded slashes and backslashes, NUL and other control bytes, and bad percent escapes.
public enum RequestTarget: Equatable, Sendable {
    /// A file under the root, as path components below it (`["Media", "sample", "240p", "1.m4s"]`).
    case file([String])
    /// A server endpoint such as `/healthz`.
    case endpoint(String)
    case notFound
    case invalid

    public static let endpoints: Set<String> = ["/healthz", "/metrics"]

    public init(_ target: String) {
        guard let path = Self.path(of: target) else { self = .invalid; return }
        if Self.endpoints.contains(path) { self = .endpoint(path); return }
        var components: [String] = []
        for raw in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let decoded = Self.percentDecoded(raw) else { self = .invalid; return }
            guard decoded != ".", decoded != "..", !decoded.contains("/"), !decoded.contains("\\"),
                  !decoded.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
                self = .invalid; return
            }
            components.append(decoded)
        }
        guard components.count >= 2 else { self = .notFound; return }
        switch components[0] {
        case "manifests": components[0] = "Manifests"
        case "media": components[0] = "Media"
        default: self = .notFound; return
        }
        self = .file(components)
    }

    /// The URL path for cache keys and upstream requests (`/media/sample/240p/1.m4s`), re-encoded.
    public static func urlPath(_ components: [String]) -> String {
        let first = components[0] == "Manifests" ? "manifests" : "media"
        return "/" + ([first] + components.dropFirst().map(percentEncoded)).joined(separator: "/")
    }

    /// The path part of an origin-form or absolute-form target, without query or fragment.
    private static func path(of target: String) -> String? {
        var rest = Substring(target)
        if rest.lowercased().hasPrefix("http://") || rest.lowercased().hasPrefix("https://") {
            rest = rest.drop(while: { $0 != ":" }).dropFirst(3)
            rest = rest.drop(while: { $0 != "/" })
            if rest.isEmpty { rest = "/" }
        }
        guard rest.hasPrefix("/") else { return nil }
        if let cut = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<cut] }
        return String(rest)
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
                bytes.append(high << 4 | low)
            } else {
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte - 0x30
        case 0x41...0x46: return byte - 0x41 + 10
        case 0x61...0x66: return byte - 0x61 + 10
        default: return nil
        }
    }

    private static func percentEncoded(_ component: String) -> String {
        var out = ""
        for byte in component.utf8 {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80, c.isLetter || c.isNumber || "-._~".contains(c) {
                out.append(c)
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}
