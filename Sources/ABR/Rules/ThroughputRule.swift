/// Rate-based adaptation as dash.js's ThroughputRule does it: the highest level whose bitrate
/// fits in 90% of the safe throughput estimate (the lower of a fast and a slow moving average).
public final class ThroughputRule: ABRRule {
    public let safetyFactor: Double

    public init(safetyFactor: Double = 0.9) { self.safetyFactor = safetyFactor }

    public func decide(_ context: ABRContext) -> ABRDecision {
        ABRDecision(level: context.affordableLevel(safetyFactor: safetyFactor) ?? context.lastLevel)
    }
}
