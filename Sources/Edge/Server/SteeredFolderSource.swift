import ContentLayout
import Foundation
import MPD
import NIOCore
import ServerSupport

/// The origin's source when it knows the CDN: a folder, plus the content steering variant of each
/// manifest (`ContentLayout.steeringVariant`: one BaseURL per edge, a ContentSteering element
/// pointing at the redirector) and of each HLS multivariant playlist
/// (`ContentLayout.hlsSteeringVariant`: every variant once per edge, EXT-X-CONTENT-STEERING). Variants are rendered into a private
/// folder when first asked for and again whenever the manifest changes, then served like any
/// file (validators, ranges, caching at the edges).
public struct SteeredFolderSource: ContentSource {
    let folder: FolderSource
    let pathways: [ContentSteeringVariant.Pathway]
    /// The steering server's URL without the content key; `/<title>` is appended per manifest.
    let steeringBase: String
    let renderRoot: String
    private let files: OpenFileCache

    public init(folder: FolderSource, pathways: [ContentSteeringVariant.Pathway], steeringBase: String) throws {
        let renderFolder = NSTemporaryDirectory() + "dashcdn-steering-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: renderFolder, withIntermediateDirectories: true)
        guard let real = OpenFile.realRoot(renderFolder) else { throw ServerError("\(renderFolder): cannot create") }
        self.folder = folder
        self.pathways = pathways
        self.steeringBase = steeringBase
        renderRoot = real
        files = OpenFileCache(memoryBudget: folder.files.memoryBudget)
    }

    public func lookup(_ path: ContentPath, on eventLoop: EventLoop) -> Eventual<ContentLookup> {
        let name = path.components[path.components.count - 1]
        let hls = name.hasSuffix(ContentLayout.hlsSteeringSuffix)
        guard path.components.count == 2, path.components[0] == ContentLayout.manifestsFolder,
              name.hasSuffix(ContentLayout.steeringSuffix) || hls,
              !FileManager.default.fileExists(atPath: folder.realRoot + "/" + path.relativePath) else {
            return folder.lookup(path, on: eventLoop)
        }
        let title = String(name.dropLast((hls ? ContentLayout.hlsSteeringSuffix : ContentLayout.steeringSuffix).count))
        guard let file = try? variant(of: title, hls: hls) else { return .now(.notFound) }
        return .now(.found(Content(file: file, policy: .of(path.kind), cacheStatus: nil)))
    }

    @Sendable public func removeRenderedVariants() {
        try? FileManager.default.removeItem(atPath: renderRoot)
    }

    /// The rendered variant (of the MPD, or of the HLS multivariant playlist), re-rendered when
    /// its source is newer than it.
    private func variant(of title: String, hls: Bool) throws -> OpenFile {
        // Through the folder's open-file cache: the manifest is opened once a second, not per request.
        let manifest = folder.realRoot + "/" + (hls ? ContentLayout.playlist(title) : ContentLayout.manifest(title))
        let source = try folder.files.open(path: manifest, realRoot: folder.realRoot)
        let target = renderRoot + "/" + title + (hls ? ContentLayout.hlsSteeringSuffix : ContentLayout.steeringSuffix)
        if let rendered = try? files.open(path: target, realRoot: renderRoot), rendered.modified >= source.modified {
            return rendered
        }
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        let steeringURL = steeringBase + "/" + (title.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? title)
        let render = hls ? ContentSteeringVariant.hls : ContentSteeringVariant.make
        guard let rendered = render(text, pathways, steeringURL) else {
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
