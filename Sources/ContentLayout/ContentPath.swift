import HTTPCore

/// A file under a content root, named by a request: its decoded path components (the first one
/// `Manifests` or `Media`, whatever case the request used) and what kind of file it is.
public struct ContentPath: Sendable, Hashable {
    public let components: [String]

    /// Relative to the root, for the origin's disk: `Media/sample/240p/1.m4s`.
    public var relativePath: String { components.joined(separator: "/") }

    /// Percent-encoded, from the root, for an edge's cache key and its parent: one spelling
    /// whatever case the request used, `/Media/sample/240p/1.m4s`.
    public var urlPath: String { "/" + components.map(PercentEncoding.encoded).joined(separator: "/") }

    public var kind: ContentKind { ContentKind(fileName: components.suffix(2).joined(separator: "/")) }

    /// Nil unless the components name a file inside one of the layout's two folders.
    public init?(components decoded: [String]) {
        guard decoded.count >= 2 else { return nil }
        var components = decoded
        switch components[0] {
        case "manifests", ContentLayout.manifestsFolder: components[0] = ContentLayout.manifestsFolder
        case "media", ContentLayout.mediaFolder: components[0] = ContentLayout.mediaFolder
        default: return nil
        }
        self.components = components
    }
}
