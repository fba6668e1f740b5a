/// Everything a rule may look at when it picks the next segment's level. The live player and the
/// simulator fill it the same way, so one rule implementation serves both drivers.
public struct ABRContext: Sendable {
    public var video: VideoTable
    /// The segment about to be requested (0-based).
    public var segment: Int
    /// Seconds of media buffered ahead of the playhead.
    public var buffer: Double
    /// The most the player will buffer before it pauses fetching.
    public var maxBuffer: Double
    /// The level of the previous segment (the start level before the first download).
    public var lastLevel: Int
    public var history: ThroughputHistory

    public init(video: VideoTable, segment: Int, buffer: Double, maxBuffer: Double,
                lastLevel: Int, history: ThroughputHistory) {
        self.video = video
        self.segment = segment
        self.buffer = buffer
        self.maxBuffer = maxBuffer
        self.lastLevel = lastLevel
        self.history = history
    }

    public var remainingSegments: Int { video.segmentCount - segment }

    /// The highest level whose bitrate fits in `safetyFactor` of the safe throughput estimate
    /// (dash.js's rate-based choice), or nil before the first download.
    public func affordableLevel(safetyFactor: Double) -> Int? {
        guard let estimate = history.safeAverage else { return nil }
        return video.highestLevel(atMostKbps: estimate * 8 / 1000 * safetyFactor)
    }
}

/// A rule's answer: the level to fetch, and how long to wait first (BOLA holds off when its
/// buffer target is reached; most rules never wait).
public struct ABRDecision: Sendable, Equatable {
    public var level: Int
    public var wait: Double

    public init(level: Int, wait: Double = 0) {
        self.level = level
        self.wait = wait
    }
}

/// An adaptive bitrate rule. A rule object lives for one session and may keep state between
/// decisions (MPC's past errors, BOLA's placeholder buffer, the hybrid's current mode).
public protocol ABRRule: AnyObject {
    func decide(_ context: ABRContext) -> ABRDecision
}
