/// dashcdn's default rule: model-predictive control that plans against the spread of its own
/// forecast errors instead of the worst of them.
///
/// Robust MPC divides its forecast by 1 + the largest recent error, so one surprise makes it
/// timid for five segments while it still ignores how much buffer it leaves behind. This rule
/// - forecasts the link's transfer rate (latency taken out, then added back per request) as the
///   harmonic mean of recent downloads;
/// - keeps the ratios actual/forecast of recent downloads and plans for the expected QoE_lin
///   over one future per ratio, so likely drops cost in proportion to how often they happen;
/// - values the buffer left at the end of the horizon (up to a cap, and only while there is
///   video left to protect), so it saves for outages instead of spending the buffer at the
///   horizon's edge.
public final class ScenarioMPCRule: ABRRule {
    public struct Parameters: Sendable {
        public var horizon = 5
        /// Downloads the forecast averages over.
        public var forecastWindow = 5
        /// Forecast errors remembered (one future each).
        public var errorMemory = 10
        /// Futures assumed before any error is known: the forecast, and half of it.
        public var startRatios: [Double] = [1.0, 0.5]
        /// A surprise upwards is trusted only this far.
        public var maxRatio = 1.5
        public var bufferValue = 1.5
        public var bufferCap = 20.0
        public var riskAversion = 0.75

        public init() {}
    }

    public let parameters: Parameters
    private let planner: LookaheadPlanner
    private var lastForecast: Double?
    private var ratios: [Double] = []

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
        var planner = LookaheadPlanner()
        planner.riskAversion = parameters.riskAversion
        self.planner = planner
    }

    public func decide(_ context: ABRContext) -> ABRDecision {
        guard let last = context.history.last,
              let forecast = context.history.harmonicMean(last: parameters.forecastWindow, of: \.transferRate) else {
            return ABRDecision(level: context.lastLevel)
        }
        if let lastForecast {
            ratios.append(min(last.transferRate / lastForecast, parameters.maxRatio))
            if ratios.count > parameters.errorMemory { ratios.removeFirst() }
        }
        lastForecast = forecast
        let recent = context.history.samples.suffix(parameters.forecastWindow)
        let latency = recent.reduce(0) { $0 + $1.firstByte } / Double(recent.count)
        let futures = ratios.isEmpty ? parameters.startRatios : ratios
        let weight = 1 / Double(futures.count)
        let scenarios = futures.map { LookaheadPlanner.Scenario(throughput: forecast * $0, weight: weight) }
        // Buffer beyond what the rest of the video needs protects nothing.
        let afterHorizon = context.remainingSegments - parameters.horizon
        let cap = min(parameters.bufferCap, Double(max(afterHorizon, 0)) * context.video.segmentDuration)
        let level = planner.bestFirstLevel(
            video: context.video, firstSegment: context.segment, horizon: parameters.horizon,
            buffer: context.buffer, lastLevel: context.lastLevel, scenarios: scenarios,
            latency: latency,
            bufferValue: .init(perSecond: cap > 0 ? parameters.bufferValue : 0, cap: cap))
        return ABRDecision(level: level)
    }
}
