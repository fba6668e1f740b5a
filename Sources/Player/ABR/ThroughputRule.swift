/// Rate-based adaptation as dash.js's ThroughputRule does it: the highest level whose bitrate
/// fits in 90% of the safe throughput estimate (the lower of a fast and a slow moving average).
public final class ThroughputRule: ABRRule {
    public let safetyFactor: Double

    public init(safetyFactor: Double = 0.9) { self.safetyFactor = safetyFactor }

    public func decide(_ context: ABRContext) -> ABRDecision {
        guard let level = level(for: context) else { return ABRDecision(level: context.lastLevel) }
        return ABRDecision(level: level)
    }

    /// The level the estimate affords, or nil before the first download.
    func level(for context: ABRContext) -> Int? {
        guard let estimate = context.history.safeAverage else { return nil }
        return context.video.highestLevel(atMostKbps: estimate * 8 / 1000 * safetyFactor)
    }
}
