import Foundation

/// dashcdn's default rule: model-predictive control that plans against the spread of its own
/// forecast errors instead of the worst of them.
///
/// Robust MPC divides its forecast by 1 + the largest recent error, so one surprise makes it
/// timid for five segments while it still ignores how much buffer it leaves behind. This rule
/// - forecasts the link's transfer rate (latency taken out, then added back per request) as the
///   harmonic mean of recent downloads, restarted when the link shifts level (the last two
///   downloads both off the forecast by more than `shiftFactor`), so a step from 1 to 20 Mbit/s
///   is believed after two segments instead of five, and from the last download alone when it
///   ran the buffer dry well below the forecast (the stall says the old level is gone);
/// - keeps the ratios actual/forecast of recent downloads and plans for the expected QoE_lin
///   over one future per ratio, so likely drops cost in proportion to how often they happen;
///   two prior futures (the forecast, and 0.8 of it) stay among them, so a few lucky first
///   downloads do not convince it that the link never falls short;
/// - values the buffer left at the end of the horizon (up to a cap, and only while there is
///   video left to protect), so it saves for outages instead of spending the buffer at the
///   horizon's edge;
/// - sizes that reserve by how much the link has varied: on a steady link (a 1 Mbit/s line
///   within a few per cent) a 20 s reserve protects against nothing and costs five segments
///   fetched at today's rate instead of tomorrow's, so it keeps `minReserve` there.
public final class ScenarioMPCRule: ABRRule {
    public struct Parameters: Sendable {
        public var horizon = 6
        /// Downloads the forecast averages over.
        public var forecastWindow = 5
        /// Forecast errors remembered (one future each).
        public var errorMemory = 10
        /// Futures always counted beside the observed errors (a prior): the forecast, and 0.8 of it.
        public var priorRatios: [Double] = [1.0, 0.8]
        /// A level shift: the last two downloads both faster or both slower than the forecast by
        /// more than this factor restart the forecast from them. 0 never restarts.
        public var shiftFactor = 2.0
        /// A download that stalled playback and came in below the forecast by more than this
        /// factor restarts the forecast from itself alone. 0 never restarts on a stall.
        public var stallShiftFactor = 1.5
        /// A surprise upwards is trusted only this far.
        public var maxRatio = 1.5
        /// What a second of buffer left at the horizon's end is worth, in QoE_lin's units (a
        /// segment at 1 Mbit/s), up to the reserve.
        public var bufferValue = 1.0
        /// The most buffer that is worth anything (seconds), on a link that varies.
        public var bufferCap = 20.0
        /// The reserve on a steady link (seconds).
        public var minReserve = 4.0
        /// The link's spread (standard deviation of the log transfer rate over the last
        /// `spreadWindow` downloads, the largest seen this session) at or below which the reserve
        /// is `minReserve`, and from which it is the whole `bufferCap`; linear between.
        public var steadySpread = 0.06
        public var variableSpread = 0.16
        public var spreadWindow = 6
        public var riskAversion = 0.75
        /// What a planned switch costs, per Mbit/s of change, against QoE_lin's 1: above 1 the
        /// plan counts the switch back that a short horizon leaves out.
        public var smoothWeight = 2.0

        /// The futures are merged into at most this many (equal-count groups of the sorted
        /// ratios, each at its group's mean): the search costs in proportion to their number.
        public var scenarioLimit = 6
        /// Each planned step stays within this many levels of the previous one (or drops to the
        /// lowest); 0 plans over every level.
        public var stepWindow = 2

        public init() {}

        /// The settings `init(parsing:)` takes, by name.
        public static let settingNames = ["horizon", "forecastWindow", "errorMemory", "maxRatio", "bufferValue", "bufferCap",
                                          "riskAversion", "smoothWeight", "scenarioLimit", "stepWindow",
                                          "shiftFactor", "stallShiftFactor", "priorLow", "minReserve", "steadySpread", "variableSpread"]

        /// Settings as `name=value,...` (`bufferValue=1.0,horizon=4`), for trying variants from
        /// the command line (`dashcdn simulate --default-rule`) without a rebuild.
        public init(parsing text: String) throws {
            self.init()
            for pair in text.split(separator: ",") where !pair.isEmpty {
                let parts = pair.split(separator: "=", maxSplits: 1).map(String.init)
                guard parts.count == 2, let value = Double(parts[1]) else {
                    throw PlayerError("--default-rule: '\(pair)' is not name=number")
                }
                switch parts[0] {
                case "horizon": horizon = max(1, Int(value))
                case "forecastWindow": forecastWindow = max(1, Int(value))
                case "errorMemory": errorMemory = max(1, Int(value))
                case "maxRatio": maxRatio = value
                case "bufferValue": bufferValue = value
                case "bufferCap": bufferCap = value
                case "riskAversion": riskAversion = value
                case "smoothWeight": smoothWeight = value
                case "scenarioLimit": scenarioLimit = max(1, Int(value))
                case "stepWindow": stepWindow = max(0, Int(value))
                case "shiftFactor": shiftFactor = value
                case "stallShiftFactor": stallShiftFactor = value
                case "priorLow": priorRatios = [1.0, value]
                case "minReserve": minReserve = value
                case "steadySpread": steadySpread = value
                case "variableSpread": variableSpread = value
                default:
                    throw PlayerError("--default-rule: unknown setting '\(parts[0])' (\(Self.settingNames.joined(separator: ", ")))")
                }
            }
        }
    }

    public let parameters: Parameters
    private let planner: LookaheadPlanner
    private var lastForecast: Double?
    /// The buffer when the last download was asked for: it stalled if it took longer.
    private var lastBuffer = Double.infinity
    private var ratios: [Double] = []
    /// Downloads before this index belong to the link's previous level.
    private var shiftIndex = 0
    /// The largest spread of the link's rate seen so far; nil until three downloads tell.
    private var spread: Double?

    public init(parameters: Parameters = Parameters()) {
        self.parameters = parameters
        var planner = LookaheadPlanner()
        planner.riskAversion = parameters.riskAversion
        planner.smoothPenalty = parameters.smoothWeight
        planner.stepWindow = parameters.stepWindow > 0 ? parameters.stepWindow : nil
        self.planner = planner
    }

    public func decide(_ context: ABRContext) -> ABRDecision {
        guard let last = context.history.last else { return ABRDecision(level: context.lastLevel) }
        if let lastForecast {
            noteShift(context.history.samples, forecast: lastForecast, stalled: last.seconds > lastBuffer)
            ratios.append(min(last.transferRate / lastForecast, parameters.maxRatio))
            if ratios.count > parameters.errorMemory { ratios.removeFirst() }
        }
        let sinceShift = context.history.samples.count - shiftIndex
        let forecast = context.history.harmonicMean(last: min(parameters.forecastWindow, sinceShift),
                                                    of: \.transferRate)!
        lastForecast = forecast
        lastBuffer = context.buffer
        let recent = context.history.samples.suffix(parameters.forecastWindow)
        let latency = recent.reduce(0) { $0 + $1.firstByte } / Double(recent.count)
        let futures = ratios + parameters.priorRatios
        let scenarios = Self.merged(futures, into: parameters.scenarioLimit).map {
            LookaheadPlanner.Scenario(throughput: forecast * $0.ratio, weight: $0.weight)
        }
        noteSpread(context.history.samples.suffix(min(parameters.spreadWindow, sinceShift)))
        // Buffer beyond what the rest of the video needs protects nothing.
        let afterHorizon = context.remainingSegments - parameters.horizon
        let cap = min(reserve, Double(max(afterHorizon, 0)) * context.video.segmentDuration)
        let level = planner.bestFirstLevel(
            video: context.video, firstSegment: context.segment, horizon: parameters.horizon,
            buffer: context.buffer, lastLevel: context.lastLevel, scenarios: scenarios,
            latency: latency,
            bufferValue: .init(perSecond: cap > 0 ? parameters.bufferValue : 0, cap: cap))
        return ABRDecision(level: level)
    }

    /// Moves `shiftIndex` to the last two downloads when both missed `forecast` the same way by
    /// more than `shiftFactor` (and the forecast already spans at least three downloads), or to
    /// the last one when it `stalled` and fell short by more than `stallShiftFactor`.
    private func noteShift(_ samples: [DownloadSample], forecast: Double, stalled: Bool) {
        let count = samples.count
        if stalled, parameters.stallShiftFactor > 0,
           samples[count - 1].transferRate * parameters.stallShiftFactor < forecast {
            shiftIndex = count - 1
            return
        }
        guard parameters.shiftFactor > 0, count >= 2, count - shiftIndex >= 3 else { return }
        let factor = parameters.shiftFactor
        let misses = samples[(count - 2)...].map { $0.transferRate / forecast }
        if misses.allSatisfy({ $0 > factor }) || misses.allSatisfy({ $0 < 1 / factor }) {
            shiftIndex = count - 2
        }
    }

    /// Raises `spread` to the standard deviation of the log transfer rates of `window` (three
    /// downloads at least). Only ever raised: a link that has dropped once may drop again.
    private func noteSpread(_ window: ArraySlice<DownloadSample>) {
        guard window.count >= 3 else { return }
        let logs = window.map { log($0.transferRate) }
        let mean = logs.reduce(0, +) / Double(logs.count)
        let variance = logs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(logs.count)
        spread = max(spread ?? 0, variance.squareRoot())
    }

    /// The buffer worth keeping: the whole cap until the link's spread is known or once it
    /// varies, `minReserve` while it is steady.
    private var reserve: Double {
        guard let spread else { return parameters.bufferCap }
        let range = parameters.variableSpread - parameters.steadySpread
        let share = range > 0 ? min(max((spread - parameters.steadySpread) / range, 0), 1) : 1
        return parameters.minReserve + share * (parameters.bufferCap - parameters.minReserve)
    }

    /// `ratios` as at most `limit` futures: sorted, cut into groups of (nearly) equal count,
    /// each group's mean ratio weighted by its share.
    static func merged(_ ratios: [Double], into limit: Int) -> [(ratio: Double, weight: Double)] {
        let count = ratios.count
        guard count > limit else { return ratios.map { ($0, 1 / Double(count)) } }
        let sorted = ratios.sorted()
        return (0..<limit).map { group in
            let range = (group * count / limit)..<((group + 1) * count / limit)
            let mean = sorted[range].reduce(0, +) / Double(range.count)
            return (mean, Double(range.count) / Double(count))
        }
    }
}
