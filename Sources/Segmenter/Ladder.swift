import Foundation

/// One rung of a bitrate ladder: a target picture size and average bitrate.
public struct Rung: Equatable, Sendable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public var bitrateKbps: Int

    public init(width: Int, height: Int, bitrateKbps: Int) {
        self.width = width
        self.height = height
        self.bitrateKbps = bitrateKbps
    }

    public var description: String { "\(width)x\(height)@\(bitrateKbps)k" }
}

public enum Ladder {
    /// 240p to 1080p, the shape of the usual VOD ladders.
    public static let `default` = [
        Rung(width: 426, height: 240, bitrateKbps: 400),
        Rung(width: 640, height: 360, bitrateKbps: 800),
        Rung(width: 854, height: 480, bitrateKbps: 1400),
        Rung(width: 1280, height: 720, bitrateKbps: 2800),
        Rung(width: 1920, height: 1080, bitrateKbps: 5000),
    ]

    /// `default`, or a comma-separated list such as `1280x720@2800k,640x360@800k`
    /// (bitrate in kbit/s; a trailing `k` is optional, `M` means Mbit/s). Sorted by bitrate.
    public static func parse(_ spec: String) throws -> [Rung] {
        if spec == "default" { return Ladder.default }
        let items = spec.split(separator: ",", omittingEmptySubsequences: false)
        let rungs = try items.map { try parseRung(String($0).trimmingCharacters(in: .whitespaces)) }
        if rungs.isEmpty { throw SegmenterError("ladder '\(spec)' has no rungs") }
        return rungs.sorted { ($0.bitrateKbps, $0.height) < ($1.bitrateKbps, $1.height) }
    }

    private static func parseRung(_ item: String) throws -> Rung {
        let bad = SegmenterError("bad ladder rung '\(item)': expected WIDTHxHEIGHT@BITRATE, e.g. 1280x720@2800k")
        let parts = item.split(separator: "@")
        guard parts.count == 2 else { throw bad }
        let size = parts[0].lowercased().split(separator: "x")
        guard size.count == 2, let w = Int(size[0]), let h = Int(size[1]), w >= 16, h >= 16, w <= 8192, h <= 8192
        else { throw bad }
        var rate = parts[1].lowercased()
        var scale = 1
        if rate.hasSuffix("m") { scale = 1000; rate.removeLast() } else if rate.hasSuffix("k") { rate.removeLast() }
        guard let value = Double(rate), value > 0 else { throw bad }
        let kbps = Int((value * Double(scale)).rounded())
        guard kbps >= 16, kbps <= 200_000 else { throw bad }
        return Rung(width: w, height: h, bitrateKbps: kbps)
    }

    /// The rungs that fit a source: none above its height (never upscale), each width recomputed
    /// from the source's display aspect ratio and rounded to an even number.
    public static func fit(_ rungs: [Rung], sourceWidth: Int, sourceHeight: Int,
                           sampleAspect: Double = 1) -> (kept: [Rung], dropped: [Rung]) {
        let displayAspect = Double(sourceWidth) * sampleAspect / Double(sourceHeight)
        var kept: [Rung] = []
        var dropped: [Rung] = []
        for rung in rungs {
            if rung.height > sourceHeight { dropped.append(rung); continue }
            let height = rung.height & ~1
            let width = max(2, Int((Double(height) * displayAspect / 2).rounded()) * 2)
            kept.append(Rung(width: width, height: height, bitrateKbps: rung.bitrateKbps))
        }
        return (kept, dropped)
    }
}
