/// The search at the heart of MPC (Yin et al., SIGCOMM 2015): every sequence of levels for the
/// next few segments is scored by QoE_lin under a throughput forecast, and the first level of the
/// best sequence is taken. Exact, but not exhaustive:
/// - a depth-first walk shares each prefix's buffer arithmetic among all its continuations
///   (9 330 steps instead of 38 880 for 6 levels and 5 segments);
/// - a branch is cut when even its best case could not reach the best plan found so far: no
///   stall, and one climb from the current level to the top only if the segments left repay
///   the switch (stalls only ever cost, and a climb in steps or a dip costs more than one climb);
/// - sequences are visited in lexicographic order and ties go to the later one, as in the
///   reference, so the choice is the same as the full enumeration's.
struct LookaheadPlanner {
    var rebufferPenalty = 4.3
    var smoothPenalty = 1.0
    /// How the stall of a plan is judged across scenarios: 0 takes the expectation, 1 the worst
    /// scenario, values between blend the two.
    var riskAversion = 0.0
    /// When set, a plan's first level is any, and each later one the lowest or within this
    /// many levels of the one before: on a 10-level ladder that visits ~13 000 plans instead of
    /// 100 000, and the jumps it leaves out cost more in switching than they could gain. Nil
    /// searches every plan (robust MPC, which must match the reference's full enumeration).
    var stepWindow: Int?

    /// One possible future: a throughput in bytes/s and how much it counts.
    struct Scenario {
        var throughput: Double
        var weight: Double
    }

    /// What the buffer left at the end of the horizon is worth: `perSecond` up to `cap` seconds.
    /// Plain MPC gives it nothing and so spends the buffer as if the video ended at the horizon.
    struct BufferValue {
        var perSecond: Double
        var cap: Double
        static let none = BufferValue(perSecond: 0, cap: 0)
    }

    /// - Parameters:
    ///   - scenarios: forecasts whose weights sum to one; the plan maximises expected QoE.
    ///   - latency: seconds every request costs on top of its bytes (0 when the forecast
    ///     already folds it in, as robust MPC's does).
    func bestFirstLevel(video: VideoTable, firstSegment: Int, horizon: Int, buffer: Double,
                        lastLevel: Int, scenarios: [Scenario], latency: Double = 0,
                        bufferValue: BufferValue = .none) -> Int {
        let depth = min(horizon, video.segmentCount - firstSegment)
        guard depth > 0, !scenarios.isEmpty else { return lastLevel }
        var search = Search(planner: self, video: video, firstSegment: firstSegment, horizon: depth,
                            scenarios: scenarios, latency: latency, bufferValue: bufferValue,
                            startBuffer: buffer)
        defer { search.deallocate() }
        search.seedWithSteadyPlans(lastLevel: lastLevel)
        search.visit(depth: 0, bitrateSum: 0, smoothSum: 0, lastLevel: lastLevel, firstLevel: 0)
        return search.bestFirst
    }

    /// The walk's state. Per-scenario buffers and stalls live in one allocation, a row per depth,
    /// and the sizes of the horizon's segments are copied out once, so the inner loop touches
    /// nothing but raw memory.
    private struct Search {
        static let tieTolerance = 1e-9
        let planner: LookaheadPlanner
        let levels: Int
        let horizon: Int
        let scenarioCount: Int
        let segmentDuration: Double
        let latency: Double
        let bufferValue: BufferValue
        let bitrates: UnsafeMutableBufferPointer<Double>
        let sizes: UnsafeMutableBufferPointer<Double>       // [depth * levels + level]
        let throughputs: UnsafeMutableBufferPointer<Double>
        let weights: UnsafeMutableBufferPointer<Double>
        let buffers: UnsafeMutableBufferPointer<Double>     // [depth * scenarios + scenario]
        let rebuffers: UnsafeMutableBufferPointer<Double>
        /// The most a full buffer at the horizon could add.
        let terminalBest: Double
        var bestReward = -Double.infinity
        var bestFirst = 0

        init(planner: LookaheadPlanner, video: VideoTable, firstSegment: Int, horizon: Int,
             scenarios: [Scenario], latency: Double, bufferValue: BufferValue, startBuffer: Double) {
            self.planner = planner
            levels = video.levelCount
            self.horizon = horizon
            scenarioCount = scenarios.count
            segmentDuration = video.segmentDuration
            self.latency = latency
            self.bufferValue = bufferValue
            bitrates = .allocate(capacity: levels)
            _ = bitrates.initialize(from: video.bitratesKbps)
            sizes = .allocate(capacity: horizon * levels)
            for depth in 0..<horizon {
                for level in 0..<levels {
                    sizes[depth * levels + level] = video.size(segment: firstSegment + depth, level: level)
                }
            }
            throughputs = .allocate(capacity: scenarios.count)
            _ = throughputs.initialize(from: scenarios.map(\.throughput))
            weights = .allocate(capacity: scenarios.count)
            _ = weights.initialize(from: scenarios.map(\.weight))
            buffers = .allocate(capacity: (horizon + 1) * scenarios.count)
            buffers.initialize(repeating: startBuffer)
            rebuffers = .allocate(capacity: (horizon + 1) * scenarios.count)
            rebuffers.initialize(repeating: 0)
            terminalBest = max(bufferValue.perSecond, 0) * max(bufferValue.cap, 0)
        }

        func deallocate() {
            for pointer in [bitrates, sizes, throughputs, weights, buffers, rebuffers] {
                pointer.deallocate()
            }
        }

        /// A plan's QoE_lin so far at `row`: bitrate, less stalls (blended across scenarios:
        /// riskAversion 0 leaves the expectation exactly), less switches.
        @inline(__always)
        private func partialReward(row: Int, bitrateSum: Double, smoothSum: Double) -> Double {
            var expected = 0.0
            var worst = 0.0
            for index in 0..<scenarioCount {
                expected += weights[index] * rebuffers[row + index]
                worst = max(worst, rebuffers[row + index])
            }
            let blended = (1 - planner.riskAversion) * expected + planner.riskAversion * worst
            return bitrateSum / 1000 - planner.rebufferPenalty * blended - planner.smoothPenalty * smoothSum / 1000
        }

        /// Fills row `depth + 1` with every scenario's buffer and stalls after fetching the
        /// segment at `depth` at `level`.
        @inline(__always)
        private func advance(depth: Int, level: Int) {
            let row = depth * scenarioCount
            let next = row + scenarioCount
            let size = sizes[depth * levels + level]
            for index in 0..<scenarioCount {
                let (buffer, stall) = PlayoutBuffer.drain(buffers[row + index],
                                                          during: size / throughputs[index] + latency)
                buffers[next + index] = buffer + segmentDuration
                rebuffers[next + index] = rebuffers[row + index] + stall
            }
        }

        /// Scores the plans that hold one level throughout, through the same rows and arithmetic
        /// as the walk, so that pruning bites from the first branch. Only the bar is raised (a hair
        /// below the best of them): the choice itself still comes from the walk, which meets those
        /// plans again.
        mutating func seedWithSteadyPlans(lastLevel: Int) {
            var best = -Double.infinity
            for level in 0..<levels {
                var bitrateSum = 0.0
                var smoothSum = 0.0
                var previous = bitrates[lastLevel]
                for depth in 0..<horizon {
                    advance(depth: depth, level: level)
                    bitrateSum += bitrates[level]
                    smoothSum += abs(bitrates[level] - previous)
                    previous = bitrates[level]
                }
                let row = horizon * scenarioCount
                best = max(best, partialReward(row: row, bitrateSum: bitrateSum, smoothSum: smoothSum)
                    + terminalValue(row: row))
            }
            bestReward = best - 1e-6
        }

        mutating func visit(depth: Int, bitrateSum: Double, smoothSum: Double, lastLevel: Int,
                            firstLevel: Int) {
            let row = depth * scenarioCount
            let partial = partialReward(row: row, bitrateSum: bitrateSum, smoothSum: smoothSum)
            if depth == horizon {
                score(partial + terminalValue(row: row), firstLevel: firstLevel)
                return
            }
            // The bound and a finished plan sum the same terms in different orders, so a plan
            // that ties the best may bound a few ulps below it: cut only what is clearly worse,
            // or a tie the reference would take (the later plan) is lost.
            if partial + bestCase(remaining: horizon - depth, from: bitrates[lastLevel])
                < bestReward - Self.tieTolerance * max(1, abs(bestReward)) { return }
            let lastBitrate = bitrates[lastLevel]
            var candidates = 0..<levels
            if let window = planner.stepWindow, depth > 0 {
                candidates = max(0, lastLevel - window)..<min(levels, lastLevel + window + 1)
                if candidates.lowerBound > 0 { step(to: 0, depth: depth, bitrateSum: bitrateSum, smoothSum: smoothSum,
                                                    lastBitrate: lastBitrate, firstLevel: firstLevel) }
            }
            for level in candidates {
                step(to: level, depth: depth, bitrateSum: bitrateSum, smoothSum: smoothSum, lastBitrate: lastBitrate,
                     firstLevel: firstLevel)
            }
        }

        @inline(__always)
        private mutating func step(to level: Int, depth: Int, bitrateSum: Double, smoothSum: Double,
                                   lastBitrate: Double, firstLevel: Int) {
            advance(depth: depth, level: level)
            let bitrate = bitrates[level]
            visit(depth: depth + 1, bitrateSum: bitrateSum + bitrate,
                  smoothSum: smoothSum + abs(bitrate - lastBitrate), lastLevel: level,
                  firstLevel: depth == 0 ? level : firstLevel)
        }

        /// The most `remaining` segments could add after a segment at `current` kbit/s, with no
        /// stall: k segments at a level b cost |b − current| × w once and give b each, so the
        /// best is to stay, or to climb to the top at once when k exceeds w.
        @inline(__always)
        private func bestCase(remaining: Int, from current: Double) -> Double {
            let count = Double(remaining)
            let climb = max(0, count - planner.smoothPenalty) * (bitrates[levels - 1] - current)
            return (count * current + climb) / 1000 + terminalBest
        }

        /// What the buffers at `row` are worth as the horizon ends.
        @inline(__always)
        private func terminalValue(row: Int) -> Double {
            guard bufferValue.perSecond != 0 else { return 0 }
            var value = 0.0
            for index in 0..<scenarioCount {
                value += weights[index] * min(buffers[row + index], bufferValue.cap)
            }
            return bufferValue.perSecond * value
        }

        private mutating func score(_ reward: Double, firstLevel: Int) {
            if reward >= bestReward {
                bestReward = reward
                bestFirst = firstLevel
            }
        }
    }
}
