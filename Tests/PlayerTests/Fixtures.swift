@testable import ABR
import Foundation
@testable import Player
import TestSupport
@testable import Traces

/// Small hand-made inputs for the rules and the simulator.
enum Fixtures {
    static let referenceVideo = Paths.shared.appendingPathComponent("data/video/pensieve-48x4s.json").path
    static let trainingTraces = Paths.shared.appendingPathComponent("data/traces/train").path

    /// Six levels like the reference ladder, every segment exactly bitrate × 4 s.
    static func ladder(segments: Int = 20) throws -> VideoTable {
        try VideoTable(segmentDuration: 4, bitratesKbps: [300, 750, 1200, 1850, 2850, 4300], segmentCount: segments)
    }

    /// A link at `mbps` for `seconds`, one sample a second.
    static func constant(_ mbps: Double, seconds: Int = 300, name: String = "constant") throws -> NetworkTrace {
        try steps([(mbps, seconds)], name: name)
    }

    /// Piecewise-constant capacity: (Mbit/s, seconds) in order.
    static func steps(_ pieces: [(Double, Int)], name: String = "steps") throws -> NetworkTrace {
        var times = [0.0]
        var mbps = [pieces[0].0]
        for (rate, seconds) in pieces {
            for _ in 0..<seconds {
                times.append(times[times.count - 1] + 1)
                mbps.append(rate)
            }
        }
        return try NetworkTrace(name: name, times: times, mbps: mbps)
    }

    /// A context as the player would build it after `downloads` at `mbps` (latency-free).
    static func context(video: VideoTable, buffer: Double, lastLevel: Int, mbps: Double?,
                        downloads: Int = 5, segment: Int = 5) -> ABRContext {
        var history = ThroughputHistory()
        if let mbps {
            for _ in 0..<downloads {
                let bytes = mbps * 1_000_000 / 8  // one-second downloads
                history.append(DownloadSample(bytes: bytes, seconds: 1,
                                              firstByte: 0, level: lastLevel))
            }
        }
        return ABRContext(video: video, segment: segment, buffer: buffer, maxBuffer: 60,
                          lastLevel: lastLevel, history: history)
    }

    static func writeTemporary(_ text: String, name: String) throws -> String {
        let folder = try Paths.temporaryFolder("player-\(UUID().uuidString.prefix(8))")
        let url = folder.appendingPathComponent(name)
        try Data(text.utf8).write(to: url)
        return url.path
    }
}
