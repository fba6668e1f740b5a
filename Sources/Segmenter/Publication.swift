import ContentLayout
import Foundation

/// Where one title's output goes, and how it gets there without ever being seen half-written:
/// everything is written into hidden staging paths beside the final ones (same file system, so
/// renames are atomic), and moved into place only when complete, media before manifest.
final class Publication: Sendable {
    let title: String
    let mediaFolder: URL
    let manifest: URL
    let segmentTable: URL
    /// The HLS multivariant playlist beside the MPD.
    let playlist: URL
    let staging: URL
    let root: URL
    private let stagingManifest: URL
    private let stagingTable: URL
    private let stagingPlaylist: URL

    init(root: URL, title: String) {
        self.title = title
        self.root = root
        let tag = "partial-\(ProcessInfo.processInfo.processIdentifier)"
        mediaFolder = root.appendingPathComponent(ContentLayout.titleFolder(title))
        manifest = root.appendingPathComponent(ContentLayout.manifest(title))
        segmentTable = root.appendingPathComponent(ContentLayout.segmentTable(title))
        playlist = root.appendingPathComponent(ContentLayout.playlist(title))
        // Hidden names beside the final ones, in the same folders.
        func staged(_ url: URL) -> URL {
            url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(tag)")
        }
        staging = staged(mediaFolder)
        stagingManifest = staged(manifest)
        stagingTable = staged(segmentTable)
        stagingPlaylist = staged(playlist)
    }

    /// Creates the staging folder; fails with one clear line when the root cannot be written.
    func prepare() throws {
        let fm = FileManager.default
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            try fm.createDirectory(at: manifest.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw SegmenterError("cannot write output under \(root.path): \(Publication.whyUnwritable(root) ?? Publication.reason(error))")
        }
        PartialOutputs.shared.register(self)
    }

    func stagedFolder(_ representation: String) -> URL { staging.appendingPathComponent(representation) }

    /// Moves media (with its media playlists), then the segment table, then the manifests (HLS,
    /// then DASH) into place, replacing an old title.
    func publish(mpd: String, playlist m3u8: String, table: Data) throws {
        let fm = FileManager.default
        try Data(mpd.utf8).write(to: stagingManifest)
        try Data(m3u8.utf8).write(to: stagingPlaylist)
        try table.write(to: stagingTable)
        var old: URL?
        if fm.fileExists(atPath: mediaFolder.path) {
            let aside = staging.deletingLastPathComponent().appendingPathComponent(".\(title).old-\(ProcessInfo.processInfo.processIdentifier)")
            try? fm.removeItem(at: aside)
            try fm.moveItem(at: mediaFolder, to: aside)
            old = aside
        }
        try fm.moveItem(at: staging, to: mediaFolder)
        try Publication.rename(stagingTable, over: segmentTable)
        try Publication.rename(stagingPlaylist, over: playlist)
        try Publication.rename(stagingManifest, over: manifest)
        if let old { try? fm.removeItem(at: old) }
        PartialOutputs.shared.unregister(self)
    }

    /// Removes whatever was staged; the published title, if any, is untouched.
    func discard() {
        for url in [staging, stagingManifest, stagingPlaylist, stagingTable] { try? FileManager.default.removeItem(at: url) }
        PartialOutputs.shared.unregister(self)
    }

    /// rename(2): atomic, and replaces an existing file (Foundation's replaceItemAt needs one).
    static func rename(_ source: URL, over destination: URL) throws {
        guard Foundation.rename(source.path, destination.path) == 0 else {
            throw SegmenterError("cannot move \(source.path) to \(destination.path): \(String(cString: strerror(errno)))")
        }
    }

    /// Names the obstacle on the way to `folder`: a file where a folder should be, or no permission.
    static func whyUnwritable(_ folder: URL) -> String? {
        var url = folder.standardizedFileURL
        var isDirectory: ObjCBool = false
        while !FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            let parent = url.deletingLastPathComponent()
            if parent.path == url.path { return nil }
            url = parent
        }
        if !isDirectory.boolValue { return "\(url.path) is a file, not a folder" }
        if !FileManager.default.isWritableFile(atPath: url.path) { return "\(url.path) is not writable (permission denied)" }
        return nil
    }

    static func reason(_ error: Error) -> String {
        let ns = error as NSError
        if let posix = ns.userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(posix.code)))
        }
        return ns.localizedDescription
    }
}

/// Staged outputs still in progress, so that Ctrl-C can remove them before the process exits.
public final class PartialOutputs: @unchecked Sendable {
    public static let shared = PartialOutputs()
    private let lock = NSLock()
    private var pending: [ObjectIdentifier: Publication] = [:]

    func register(_ p: Publication) { lock.withLock { pending[ObjectIdentifier(p)] = p } }
    func unregister(_ p: Publication) { lock.withLock { pending[ObjectIdentifier(p)] = nil } }

    /// Removes every staged output (called from a signal handler's queue).
    public func discardAll() {
        let all = lock.withLock { Array(pending.values) }
        all.forEach { $0.discard() }
    }
}
