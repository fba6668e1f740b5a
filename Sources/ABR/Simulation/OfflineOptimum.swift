/// The best QoE_lin a player could reach on a trace it knew in advance: the yardstick rules are
/// read against (a share of the optimum says how much any rule could still gain, which a ratio
/// between two rules cannot).
///
/// A dynamic program over the segments, each state a level, a clock and a buffer with the link
/// as the player left it. States whose clock and buffer fall in the same `resolution`-second
/// bucket (at the same level) are merged, keeping the best QoE so far. Every state is reached by
/// a plan the network model really plays, so the result is a QoE some plan achieves: a lower
/// bound on the true optimum that rises towards it as `resolution` shrinks (without merging, the
/// search would be every one of levels^segments plans).
public enum OfflineOptimum {
    /// Seconds per bucket unless told otherwise: on the traces tried within about half a per cent
    /// of 0.25 s buckets, at a twentieth of the time of 0.5 s.
    public static let defaultResolution = 2.0

    public static func qoe<Network: NetworkModel>(video: VideoTable, network: Network,
                                                  settings: SessionSettings = SessionSettings(),
                                                  resolution: Double = defaultResolution) -> Double {
        // The first segment at the start level, as every rule starts; it is the start-up, not scored.
        var start = State(level: video.highestLevel(atMostKbps: settings.startBitrateKbps), clock: 0, buffer: 0,
                          qoe: 0, network: network)
        _ = start.fetch(segment: 0, level: start.level, video: video, settings: settings)
        var states = [start]
        for segment in 1..<video.segmentCount {
            var best: [Bucket: State<Network>] = [:]
            best.reserveCapacity(states.count * video.levelCount)
            for state in states {
                for level in 0..<video.levelCount {
                    var next = state
                    let stall = next.fetch(segment: segment, level: level, video: video, settings: settings)
                    next.qoe += QoESummary.score(bitrateKbps: video.bitratesKbps[level],
                                                 previousKbps: video.bitratesKbps[state.level], stall: stall)
                    let bucket = Bucket(level: level, clock: Int((next.clock / resolution).rounded()),
                                        buffer: Int((next.buffer / resolution).rounded()))
                    if let held = best[bucket], held.qoe >= next.qoe { continue }
                    best[bucket] = next
                }
            }
            states = Array(best.values)
        }
        return states.map(\.qoe).max() ?? 0
    }

    private struct Bucket: Hashable {
        var level: Int
        var clock: Int
        var buffer: Int
    }

    private struct State<Network: NetworkModel> {
        var level: Int
        var clock: Double
        var buffer: Double
        var qoe: Double
        var network: Network

        /// Fetches `segment` at `level` as `SimulatedSession` does; returns the stall.
        mutating func fetch(segment: Int, level: Int, video: VideoTable, settings: SessionSettings) -> Double {
            let seconds = network.download(bytes: video.size(segment: segment, level: level)).seconds
            let (stall, sleep) = SimulatedSession.settle(buffer: &buffer, after: seconds, video: video,
                                                         network: &network, settings: settings)
            clock += seconds + sleep
            self.level = level
            return stall
        }
    }
}
