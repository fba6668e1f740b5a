import Foundation
import MPD
import NIOCore

/// The origin's source when it knows the CDN: a folder, plus `/manifests/<title>.steering.mpd`,
/// the content steering variant of `Manifests/<title>.mpd` (one BaseURL per edge, a
/// ContentSteering element pointing at the redirector). Variants are rendered into a private
/// folder when first asked for and again whenever the manifest changes, then served like any
/// file (validators, ranges, caching at the edges).
public struct SteeredFolderSource: ContentSource {
    public static let suffix = ".steering.mpd"

    let folder: FolderSource
    let pathways: [ContentSteeringVariant.Pathway]
    /// The steering server's URL without the content key; `/<title>` is appended per manifest.
    let steeringBase: String
    let renderRoot: String
    private let files: OpenFileCache

    public init(folder: FolderSource, pathways: [ContentSteeringVariant.Pathway], steeringBase: String) throws {
        let renderFolder = NSTemporaryDirectory() + "dashcdn-steering-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: renderFolder, withIntermediateDirectories: true)
        guard let real = OpenFile.realRoot(renderFolder) else { throw EdgeError("\(renderFolder): cannot create") }
        self.folder = folder
        self.pathways = pathways
        self.steeringBase = steeringBase
        renderRoot = real
        files = OpenFileCache(memoryBudget: folder.files.memoryBudget)
    }

    public func lookup(_ components: [String], on eventLoop: EventLoop) -> Eventual<ContentLookup> {
        guard components.count == 2, components[0] == "Manifests", components[1].hasSuffix(Self.suffix),
              !FileManager.default.fileExists(atPath: folder.realRoot + "/Manifests/" + components[1]) else {
            return folder.lookup(components, on: eventLoop)
        }
        let title = String(components[1].dropLast(Self.suffix.count))
        guard let file = try? variant(of: title) else { return .now(.notFound) }
        return .now(.found(Content(file: file, policy: ContentPolicy.forPath(components[1]), cacheStatus: nil)))
    }

    @Sendable public func removeRenderedVariants() {
        try? FileManager.default.removeItem(atPath: renderRoot)
    }

    /// The rendered variant, re-rendered when the source manifest is newer than it.
    private func variant(of title: String) throws -> OpenFile {
        // Through the folder's open-file cache: the manifest is opened once a second, not per request.
        let source = try folder.files.open(path: folder.realRoot + "/Manifests/\(title).mpd", realRoot: folder.realRoot)
        let target = renderRoot + "/" + title + Self.suffix
        if let rendered = try? files.open(path: target, realRoot: renderRoot), rendered.modified >= source.modified {
            return rendered
        }
        let text = try String(contentsOfFile: folder.realRoot + "/Manifests/\(title).mpd", encoding: .utf8)
        let steeringURL = steeringBase + "/" + (title.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? title)
        guard let rendered = ContentSteeringVariant.make(from: text, pathways: pathways, steeringURL: steeringURL) else {
            throw OpenFile.OpenFailure.notFound
        }
        // Written beside, then renamed: a concurrent reader sees the old variant or the new one.
        let temporary = target + ".\(UUID().uuidString.prefix(8)).tmp"
        try Data(rendered.utf8).write(to: URL(fileURLWithPath: temporary))
        guard rename(temporary, target) == 0 else { throw OpenFile.OpenFailure.notFound }
        files.forget(target)
        return try files.open(path: target, realRoot: renderRoot)
    }
}
