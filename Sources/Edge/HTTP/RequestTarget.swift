import HTTPCore
import ContentLayout

/// Maps a request target onto a file under the server's root, in `ContentLayout`'s URL layout,
/// and refuses every way of naming something outside it: dot segments raw or percent-encoded,
/// encoded slashes and backslashes, NUL and other control bytes, and bad percent escapes.
public enum RequestTarget: Equatable, Sendable {
    /// A file under the root.
    case file(ContentPath)
    /// A server endpoint such as `/healthz`.
    case endpoint(String)
    case notFound
    case invalid

    public static let endpoints: Set<String> = ["/healthz", "/metrics"]

    /// Runs for every request: it works on the target's bytes, without Foundation's searches.
    public init(_ target: String) {
        guard let path = Self.path(of: target) else { self = .invalid; return }
        if let endpoint = Self.endpoints.first(where: { path == $0 }) { self = .endpoint(endpoint); return }
        var components: [String] = []
        for raw in path.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: true) {
            guard let decoded = Self.decodedComponent(raw) else { self = .invalid; return }
            components.append(decoded)
        }
        self = ContentPath(components: components).map { .file($0) } ?? .notFound
    }

    /// The path part of an origin-form or absolute-form target, without query or fragment.
    private static func path(of target: String) -> Substring? {
        var rest = Substring(target)
        if rest.utf8.first != UInt8(ascii: "/") {
            let scheme = rest.prefix(8).lowercased()
            guard scheme.hasPrefix("http://") || scheme.hasPrefix("https://") else { return nil }
            rest = rest.drop(while: { $0 != ":" }).dropFirst(3)
            rest = rest.drop(while: { $0 != "/" })
            if rest.isEmpty { return "/" }
        }
        if let cut = rest.utf8.firstIndex(where: { $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") }) {
            rest = rest[..<cut]
        }
        return rest
    }

    /// One path segment, percent-decoded; nil for dot segments, bad escapes, invalid UTF-8, and
    /// any slash, backslash or control byte, raw or encoded.
    private static func decodedComponent(_ raw: Substring.UTF8View.SubSequence) -> String? {
        // Most components have nothing to decode: taken as they are, without a copy to decode into.
        let dotSegment = raw.count <= 2 && raw.allSatisfy { $0 == UInt8(ascii: ".") }
        if !dotSegment, raw.allSatisfy(isPlainByte) {
            return String(Substring(raw))
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(raw.count)
        var iterator = raw.makeIterator()
        while var byte = iterator.next() {
            if byte == UInt8(ascii: "%") {
                guard let high = iterator.next().flatMap(PercentEncoding.hexValue), let low = iterator.next().flatMap(PercentEncoding.hexValue) else { return nil }
                byte = high << 4 | low
            }
            guard byte >= 0x20, byte != 0x7F, byte != UInt8(ascii: "/"), byte != UInt8(ascii: "\\") else { return nil }
            bytes.append(byte)
        }
        guard bytes != [0x2E], bytes != [0x2E, 0x2E] else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Printable ASCII other than `%` and `\\`.
    private static func isPlainByte(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F && byte != UInt8(ascii: "%") && byte != UInt8(ascii: "\\")
    }
}
