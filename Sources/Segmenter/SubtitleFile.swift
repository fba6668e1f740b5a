import FFmpeg
import Foundation

/// A subtitle file given beside the movie (`--subtitles fr.srt:fra`): SubRip, WebVTT, ASS or any
/// text format FFmpeg reads, its times counted from the movie's first picture.
public struct SubtitleFile: Equatable, Sendable {
    public let path: String
    /// The BCP 47 language tag of the DASH `lang` attribute (`fra`, `pt-BR`), `und` when unknown.
    public let language: String

    public init(path: String, language: String) {
        self.path = path
        self.language = language
    }

    /// `FILE` or `FILE:LANG`. Without a language, one before the extension is taken
    /// (`movie.fra.srt`, `movie.pt-BR.vtt`), else `und`.
    public static func parse(_ argument: String) throws -> SubtitleFile {
        if let colon = argument.lastIndex(of: ":"), colon != argument.startIndex {
            let language = String(argument[argument.index(after: colon)...])
            guard isLanguageTag(language) else {
                throw SegmenterError("--subtitles \(argument): '\(language)' is not a language tag (e.g. eng, fra, pt-BR)")
            }
            return SubtitleFile(path: String(argument[..<colon]), language: language)
        }
        let name = URL(fileURLWithPath: argument).deletingPathExtension().pathExtension
        return SubtitleFile(path: argument, language: isLanguageTag(name) ? name : "und")
    }

    /// A primary language of 2-3 letters, then subtags of 2-8 letters or digits.
    static func isLanguageTag(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard let primary = parts.first, (2...3).contains(primary.count),
              primary.allSatisfy({ $0.isASCII && $0.isLetter }) else { return false }
        return parts.dropFirst().allSatisfy { (2...8).contains($0.count) && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) } }
    }

    /// Every cue of the file's text subtitle stream.
    func cues() throws -> [SubtitleCue] {
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw SegmenterError("--subtitles \(path): no such file, or not readable")
        }
        do {
            let input = try InputFile(path: path)
            guard let stream = input.streams(.subtitle).first else {
                throw SegmenterError("--subtitles \(path): no subtitles in it")
            }
            guard WebVTT.textCodecs.contains(stream.codecName) else {
                throw SegmenterError("--subtitles \(path): \(stream.codecName) subtitles are pictures, not text; only text formats are carried")
            }
            let decoder = try Decoder(input: input, stream: stream)
            let packet = Packet()
            var cues: [SubtitleCue] = []
            while try input.read(into: packet) {
                if packet.streamIndex == stream.index { cues += try decoder.subtitles(in: packet) }
            }
            return cues
        } catch let error as FFmpegError {
            throw SegmenterError("--subtitles \(path): \(error.description)")
        }
    }
}
