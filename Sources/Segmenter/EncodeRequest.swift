import Foundation

/// What `dashcdn encode` asks for.
public struct EncodeRequest: Sendable {
    public var input: String
    public var title: String
    public var ladder: [Rung]
    public var segmentDuration: Double
    public var preset: String
    /// The folder holding Media/ and Manifests/.
    public var root: URL
    public var reportPSNR: Bool
    public var audioBitrateKbps = 128
    /// x264 threads for every rung (0: x264 decides); nil shares the cores by ThreadBudget.
    public var threadsPerRung: Int?
    /// Refuse to encode rather than drop any of the source's streams.
    public var strict = false
    /// Audio tracks to carry: `all`, `main`, or languages (`eng,fra`).
    public var audio = "all"
    /// Subtitle files to carry beside the source's own text tracks.
    public var subtitleFiles: [SubtitleFile] = []

    public init(input: String, title: String, ladder: [Rung] = Ladder.default, segmentDuration: Double = 4,
                preset: String = "veryfast", root: URL, reportPSNR: Bool = false) {
        self.input = input
        self.title = title
        self.ladder = ladder
        self.segmentDuration = segmentDuration
        self.preset = preset
        self.root = root
        self.reportPSNR = reportPSNR
    }

    /// A title becomes a folder and a URL path segment: keep it to characters safe in both.
    public static func validTitle(_ title: String) -> Bool {
        !title.isEmpty && title.count <= 128 && !title.hasPrefix(".") &&
            title.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) && $0.isASCII || "-_.".unicodeScalars.contains($0) }
    }

    /// The title a file gives when none is named: its base name without extension.
    public static func defaultTitle(for input: String) -> String {
        let base = URL(fileURLWithPath: input).deletingPathExtension().lastPathComponent
        let cleaned = String(base.map { $0.isASCII && ($0.isLetter || $0.isNumber || "-_".contains($0)) ? $0 : "_" })
        return cleaned.isEmpty ? "movie" : cleaned
    }
}
