import CMCD
import Foundation
import MPD

/// How the player sends CMCD (CTA-5004): in the `CMCD` query parameter (the default, as dash.js
/// does: it survives any proxy and needs no CORS preflight), in the four CMCD headers, or not.
public enum CMCDMode: String, CaseIterable, Sendable {
    case query, header, off
}

/// The session-wide part of every request's CMCD: a session id, the content id (the manifest's
/// path), VOD over DASH, version 1.
struct CMCDReporter: Sendable {
    let mode: CMCDMode
    let sessionID = UUID().uuidString.lowercased()
    let contentID: String

    init(mode: CMCDMode, manifest: URL) {
        self.mode = mode
        contentID = manifest.path
    }

    func base(_ type: CMCDData.ObjectType) -> CMCDData? {
        guard mode != .off else { return nil }
        var data = CMCDData()
        data.objectType = type
        data.sessionID = sessionID
        data.contentID = contentID
        data.streamingFormat = "d"
        data.streamType = "v"
        data.version = 1
        return data
    }

    /// `url` with the CMCD query parameter added, or the CMCD headers to send, by the mode.
    func apply(_ data: CMCDData?, to url: URL) -> (URL, [(name: String, value: String)]) {
        guard let data else { return (url, []) }
        switch mode {
        case .off: return (url, [])
        case .header: return (url, data.headers)
        case .query:
            let separator = url.query == nil ? "?" : "&"
            return (URL(string: url.absoluteString + separator + "CMCD=" + data.queryValue) ?? url, [])
        }
    }

    /// `next` relative to `current` when both sit in one folder (the usual next segment);
    /// CTA-5004 wants `nor` relative to the request's URL.
    static func nextObject(_ next: ResourceReference?, after current: ResourceReference) -> String? {
        guard let next, next.range == nil else { return nil }
        let folder = { (path: String) in path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/") }
        guard folder(next.path) == folder(current.path) else { return nil }
        return next.path.split(separator: "/").last.map(String.init)
    }
}
