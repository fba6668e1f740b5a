import FFmpeg
import Foundation

/// Subtitle cues as a WebVTT document (W3C WebVTT): what DASH players (dash.js) and browsers show
/// from a sidecar text track.
enum WebVTT {
    /// The formats whose cues FFmpeg hands out as text; bitmap subtitles (DVD, PGS) are not.
    static let textCodecs: Set<String> = ["mov_text", "subrip", "srt", "ass", "ssa", "webvtt", "text"]

    /// `cues` shifted by `offset` seconds (the video's start), dropping any that end before 0.
    static func document(_ cues: [SubtitleCue], offset: Double) -> String {
        var out = "WEBVTT\n"
        for cue in cues.sorted(by: { $0.start < $1.start }) {
            let start = max(0, cue.start - offset), end = cue.end - offset
            let text = plainText(fromASS: cue.assText)
            guard end > start, !text.isEmpty else { continue }
            out += "\n\(timestamp(start)) --> \(timestamp(end))\n\(text)\n"
        }
        return out
    }

    /// The text of an ASS dialogue line (`ReadOrder,Layer,Style,Name,MarginL,MarginR,MarginV,Effect,Text`)
    /// without its override tags (`{\i1}`), line breaks as newlines, and nothing that would end a
    /// cue early (a blank line) or be read as a cue timing (`-->`).
    static func plainText(fromASS line: String) -> String {
        let fields = line.split(separator: ",", maxSplits: 8, omittingEmptySubsequences: false)
        var text = fields.count == 9 ? String(fields[8]) : line
        while let open = text.firstIndex(of: "{"), let close = text[open...].firstIndex(of: "}") {
            text.removeSubrange(open...close)
        }
        text = text.replacingOccurrences(of: "\\N", with: "\n").replacingOccurrences(of: "\\n", with: "\n")
            .replacingOccurrences(of: "\\h", with: " ").replacingOccurrences(of: "-->", with: "->")
            .replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        return text.split(separator: "\n", omittingEmptySubsequences: true)
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: "\n")
    }

    /// `HH:MM:SS.mmm`.
    static func timestamp(_ seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        let (h, m, s, ms) = (millis / 3_600_000, millis / 60_000 % 60, millis / 1000 % 60, millis % 1000)
        return String(format: "%02d:%02d:%02d.%03d", h, m, s, ms)
    }
}
