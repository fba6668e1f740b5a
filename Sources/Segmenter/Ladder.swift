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

    /// The rungs that fit a source: none above its size (never upscale), each recomputed from the
    /// source's display aspect ratio and rounded to even numbers. A rung is known by its short
    /// side (`1280x720` and `720x1280` alike are 720): a portrait source (taller than wide, as
    /// displayed) gets portrait rungs, a 1080x1920 phone video a 1080x1920 top rung. With
    /// `fillToSource` (the default ladder), a source smaller than the top rung also gets a rung at
    /// its own size, its bitrate interpolated by pixel count between the rungs around it, so a
    /// 320x180 or a 1024x576 source keeps its full picture.
    public static func fit(_ rungs: [Rung], sourceWidth: Int, sourceHeight: Int, sampleAspect: Double = 1,
                           fillToSource: Bool = false) -> (kept: [Rung], dropped: [Rung], added: Rung?) {
        let displayAspect = Double(sourceWidth) * sampleAspect / Double(sourceHeight)
        let portrait = displayAspect < 1
        let sourceShort = portrait ? Int((Double(sourceHeight) * displayAspect).rounded()) : sourceHeight
        let sized = { (short: Int, bitrate: Int) -> Rung in
            let even = short & ~1
            let long = max(2, Int((Double(even) * (portrait ? 1 / displayAspect : displayAspect) / 2).rounded()) * 2)
            return portrait ? Rung(width: even, height: long, bitrateKbps: bitrate) : Rung(width: long, height: even, bitrateKbps: bitrate)
        }
        var kept: [Rung] = []
        var dropped: [Rung] = []
        for rung in rungs {
            if rung.short > sourceShort { dropped.append(rung) } else { kept.append(sized(rung.short, rung.bitrateKbps)) }
        }
        let short = sourceShort & ~1
        guard fillToSource, let above = dropped.min(by: { $0.short < $1.short }), short >= 16,
              !kept.contains(where: { $0.short == short }) else { return (kept, dropped, nil) }
        let below = kept.max { $0.short < $1.short }
        let size = sized(sourceShort, 0)
        let added = Rung(width: size.width, height: size.height,
                         bitrateKbps: interpolatedBitrate(pixels: size.pixels, below: below, above: above))
        return ((kept + [added]).sorted { ($0.bitrateKbps, $0.height) < ($1.bitrateKbps, $1.height) }, dropped, added)
    }

    /// Linear in pixels between the rungs around a size; below the lowest rung, in proportion.
    private static func interpolatedBitrate(pixels: Int, below: Rung?, above: Rung) -> Int {
        guard let below else { return max(64, above.bitrateKbps * pixels / max(above.pixels, 1)) }
        let share = Double(pixels - below.pixels) / Double(max(above.pixels - below.pixels, 1))
        return below.bitrateKbps + Int((Double(above.bitrateKbps - below.bitrateKbps) * share).rounded())
    }
}

extension Rung {
    var pixels: Int { width * height }
    /// The smaller side: what `720p` names, whichever way the picture stands.
    var short: Int { min(width, height) }
}
