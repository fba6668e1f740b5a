/// Robust MPC (Yin et al., SIGCOMM 2015) as the Pensieve reference runs it: forecast the harmonic
/// mean of the last five throughputs, divide it by 1 + the largest relative forecast error of the
/// last five segments, and plan five segments ahead on QoE_lin.
public final class RobustMPCRule: ABRRule {
    public let horizon: Int
    private let planner = LookaheadPlanner()
    private var lastForecast: Double?
    private var errors: [Double] = []

    public init(horizon: Int = 5) { self.horizon = horizon }

    public func decide(_ context: ABRContext) -> ABRDecision {
        guard let measured = context.history.last?.throughput,
              let harmonic = context.history.harmonicMean(last: 5) else {
            return ABRDecision(level: context.lastLevel)
        }
        errors.append(lastForecast.map { abs($0 - measured) / measured } ?? 0)
        lastForecast = harmonic
        let discount = 1 + (errors.suffix(5).max() ?? 0)
        let level = planner.bestFirstLevel(
            video: context.video, firstSegment: context.segment, horizon: horizon,
            buffer: context.buffer, lastLevel: context.lastLevel,
            scenarios: [.init(throughput: harmonic / discount, weight: 1)])
        return ABRDecision(level: level)
    }
}
