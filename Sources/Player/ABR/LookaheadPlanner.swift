/// The search at the heart of MPC (Yin et al., SIGCOMM 2015): every sequence of levels for the
/// next few segments is scored by QoE_lin under a throughput forecast, and the first level of the
/// best sequence is taken. A depth-first walk shares each prefix's buffer arithmetic among all
/// its continuations (9 330 steps instead of 38 880 for 6 levels and 5 segments); sequences are
/// visited in lexicographic order and ties go to the later one, as in the reference.
struct LookaheadPlanner {
    var rebufferPenalty = 4.3
    var smoothPenalty = 1.0

    /// One possible future: a throughput in bytes/s and how much it counts.
    struct Scenario {
        var throughput: Double
        var weight: Double
    }

    /// - Parameters:
    ///   - scenarios: forecasts whose weights sum to one; the plan maximises expected QoE.
    ///   - bufferValue: reward per second of buffer left at the end of the horizon (0 in MPC).
    func bestFirstLevel(video: VideoTable, firstSegment: Int, horizon: Int, buffer: Double,
                        lastLevel: Int, scenarios: [Scenario], bufferValue: Double = 0) -> Int {
        let depth = min(horizon, video.segmentCount - firstSegment)
        guard depth > 0, !scenarios.isEmpty else { return lastLevel }
        var search = Search(planner: self, video: video, firstSegment: firstSegment,
                            horizon: depth, scenarios: scenarios, bufferValue: bufferValue,
                            startBuffer: buffer)
        search.visit(depth: 0, bitrateSum: 0, smoothSum: 0, lastLevel: lastLevel, firstLevel: 0)
        return search.bestFirst
    }

    /// The walk's state. Buffers and stalls per scenario live in one preallocated array, a row
    /// per depth, so the inner loop allocates nothing.
    private struct Search {
        let planner: LookaheadPlanner
        let video: VideoTable
        let firstSegment: Int
        let horizon: Int
        let throughputs: [Double]
        let weights: [Double]
        let bufferValue: Double
        var buffers: [Double]
        var rebuffers: [Double]
        var bestReward = -Double.infinity
        var bestFirst = 0

        init(planner: LookaheadPlanner, video: VideoTable, firstSegment: Int, horizon: Int,
             scenarios: [Scenario], bufferValue: Double, startBuffer: Double) {
            self.planner = planner
            self.video = video
            self.firstSegment = firstSegment
            self.horizon = horizon
            self.throughputs = scenarios.map(\.throughput)
            self.weights = scenarios.map(\.weight)
            self.bufferValue = bufferValue
            buffers = Array(repeating: 0, count: (horizon + 1) * scenarios.count)
            rebuffers = buffers
            for index in scenarios.indices { buffers[index] = startBuffer }
        }

        mutating func visit(depth: Int, bitrateSum: Double, smoothSum: Double, lastLevel: Int,
                            firstLevel: Int) {
            let count = throughputs.count
            let row = depth * count
            if depth == horizon {
                score(row: row, bitrateSum: bitrateSum, smoothSum: smoothSum, firstLevel: firstLevel)
                return
            }
            let segment = firstSegment + depth
            let next = row + count
            let lastBitrate = video.bitratesKbps[lastLevel]
            for level in 0..<video.levelCount {
                let size = video.size(segment: segment, level: level)
                for index in 0..<count {
                    let downloadTime = size / throughputs[index]
                    var buffer = buffers[row + index]
                    var rebuffer = rebuffers[row + index]
                    if buffer < downloadTime {
                        rebuffer += downloadTime - buffer
                        buffer = 0
                    } else {
                        buffer -= downloadTime
                    }
                    buffers[next + index] = buffer + video.segmentDuration
                    rebuffers[next + index] = rebuffer
                }
                let bitrate = video.bitratesKbps[level]
                visit(depth: depth + 1, bitrateSum: bitrateSum + bitrate,
                      smoothSum: smoothSum + abs(bitrate - lastBitrate), lastLevel: level,
                      firstLevel: depth == 0 ? level : firstLevel)
            }
        }

        private mutating func score(row: Int, bitrateSum: Double, smoothSum: Double, firstLevel: Int) {
            var expectedRebuffer = 0.0
            var expectedBuffer = 0.0
            for index in 0..<throughputs.count {
                expectedRebuffer += weights[index] * rebuffers[row + index]
                expectedBuffer += weights[index] * buffers[row + index]
            }
            var reward = bitrateSum / 1000 - planner.rebufferPenalty * expectedRebuffer
                - planner.smoothPenalty * smoothSum / 1000
            if bufferValue != 0 { reward += bufferValue * expectedBuffer }
            if reward >= bestReward {
                bestReward = reward
                bestFirst = firstLevel
            }
        }
    }
}
