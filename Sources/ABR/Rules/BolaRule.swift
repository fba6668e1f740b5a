import Foundation

/// BOLA (Spiteri et al., INFOCOM 2016) with the BOLA-E refinements dash.js ships: Lyapunov
/// buffer control that picks the level maximising (V·(utility + γp) − buffer) / bitrate, with
/// - start-up by throughput, plus a virtual "placeholder" buffer that lets BOLA keep that level
///   while the real buffer is still small;
/// - no step up beyond what throughput affords (BOLA-O, against oscillation);
/// - a wait instead of a request when the buffer is above the chosen level's target.
public final class BolaRule: ABRRule {
    /// dash.js's constants: a 10 s minimum buffer plus 2 s per level sets the buffer BOLA aims at.
    static let minimumBuffer = 10.0
    static let bufferPerLevel = 2.0
    let safetyFactor = 0.9

    private var placeholder = 0.0
    private var startingUp = true
    private var parameters: Parameters?
    /// The buffer at the previous decision, and the wait then asked for: a stall or a falling
    /// buffer since then means the placeholder was too optimistic.
    private var previousBuffer: Double?
    private var previousWait = 0.0

    public init() {}

    /// BOLA's control parameters for one ladder and buffer ceiling.
    struct Parameters {
        let bitrates: [Double]
        let utilities: [Double]
        let gp: Double
        let vp: Double

        init(bitrates: [Double], maxBuffer: Double) {
            let target = min(maxBuffer, BolaRule.minimumBuffer + BolaRule.bufferPerLevel * Double(bitrates.count))
            self.bitrates = bitrates
            utilities = bitrates.map { log($0 / bitrates[0]) + 1 }
            // With one level there is nothing to trade; any positive gp will do.
            let span = max(target / BolaRule.minimumBuffer - 1, 0.1)
            gp = max((utilities[utilities.count - 1] - 1) / span, 1e-3)
            vp = BolaRule.minimumBuffer / gp
        }

        func level(forBuffer buffer: Double) -> Int {
            var best = 0
            var bestScore = -Double.infinity
            for index in bitrates.indices {
                let score = (vp * (utilities[index] + gp) - buffer) / bitrates[index]
                if score >= bestScore {
                    bestScore = score
                    best = index
                }
            }
            return best
        }

        /// The buffer at which BOLA starts to prefer `level` over every lower one.
        func minimumBuffer(for level: Int) -> Double {
            var minimum = 0.0
            for lower in 0..<level where utilities[lower] < utilities[level] {
                let crossover = vp * (gp + (bitrates[level] * utilities[lower] - bitrates[lower] * utilities[level])
                    / (bitrates[level] - bitrates[lower]))
                minimum = max(minimum, crossover)
            }
            return minimum
        }

        /// Above this buffer BOLA would rather wait than fetch `level`.
        func maximumBuffer(for level: Int) -> Double { vp * (utilities[level] + gp) }
    }

    public func decide(_ context: ABRContext) -> ABRDecision {
        let bola = parameters ?? Parameters(bitrates: context.video.bitratesKbps, maxBuffer: context.maxBuffer)
        parameters = bola
        guard let affordable = context.affordableLevel(safetyFactor: safetyFactor) else {
            return ABRDecision(level: context.lastLevel)
        }
        if let previousBuffer, let last = context.history.last {
            if previousBuffer - previousWait < last.seconds {
                startingUp = true  // ran dry: start over, as dash.js does after a stall
            } else if context.buffer < previousBuffer {
                placeholder = max(0, placeholder - (previousBuffer - context.buffer))
            }
        }
        previousBuffer = context.buffer
        let decision = steer(context, bola: bola, affordable: affordable)
        previousWait = decision.wait
        return decision
    }

    private func steer(_ context: ABRContext, bola: Parameters, affordable: Int) -> ABRDecision {
        if startingUp {
            placeholder = max(0, bola.minimumBuffer(for: affordable) - context.buffer)
            if context.buffer >= context.video.segmentDuration { startingUp = false }
            return ABRDecision(level: affordable)
        }
        var level = bola.level(forBuffer: context.buffer + placeholder)
        if level > context.lastLevel && level > affordable {
            level = max(affordable, context.lastLevel)
        }
        // Above the level's target: spend the placeholder first, then really wait.
        var wait = max(0, context.buffer + placeholder - bola.maximumBuffer(for: level))
        let fromPlaceholder = min(wait, placeholder)
        placeholder -= fromPlaceholder
        wait -= fromPlaceholder
        return ABRDecision(level: level, wait: wait)
    }
}
