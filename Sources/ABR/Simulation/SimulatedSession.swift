/// How a simulated player behaves around the rule: the Pensieve reference's settings by default.
public struct SessionSettings: Sendable {
    /// Fetching pauses while the buffer is above this.
    public var maxBuffer = 60.0
    /// A full buffer is drained in steps of this many seconds before the next request.
    public var sleepStep = 0.5
    /// The first segment's bitrate: the highest level at most this (750 kbps is level 1 of the
    /// reference ladder). The first download is the start-up delay.
    public var startBitrateKbps = 750.0
    /// Give up a download that would run the buffer dry and fetch the segment lower, as the live
    /// player does (`AbandonmentRule`). Off in the reference, which lets every download finish.
    public var abandonment = false
    /// How often a download under way is judged (the live player judges every body chunk).
    public var abandonmentCheck = 0.25

    public init() {}
}

/// The player loop driven by a network model instead of sockets: the rule picks each segment's
/// level, the model says how long the download took, and the playout buffer drains meanwhile.
public enum SimulatedSession {
    public static func run<Network: NetworkModel>(rule: ABRRule, video: VideoTable,
                                                  network: inout Network,
                                                  settings: SessionSettings = SessionSettings(),
                                                  edge: String = "sim") -> [SegmentRecord] {
        var records: [SegmentRecord] = []
        records.reserveCapacity(video.segmentCount)
        var history = ThroughputHistory()
        var buffer = 0.0
        var clock = 0.0
        var decision = ABRDecision(level: video.highestLevel(atMostKbps: settings.startBitrateKbps))
        for segment in 0..<video.segmentCount {
            var level = min(max(decision.level, 0), video.topLevel)
            let wait = min(max(decision.wait, 0), buffer)
            if wait > 0 {
                buffer -= wait
                network.idle(wait)
                clock += wait
            }
            var given = 0.0
            // Playback runs from the second segment on; only then is there a buffer to protect.
            while settings.abandonment, segment > 0,
                  let (seconds, lower) = abandonment(segment: segment, level: level, buffer: buffer - given,
                                                     video: video, network: network, settings: settings) {
                _ = network.download(bytes: video.size(segment: segment, level: level), giveUpAfter: seconds)
                given += seconds
                level = lower
            }
            let bytes = video.size(segment: segment, level: level)
            let transfer = network.download(bytes: bytes)
            let download = transfer.seconds
            let (stall, sleep) = settle(buffer: &buffer, after: given + download, video: video,
                                        network: &network, settings: settings)
            clock += given + download
            let downloadEnd = clock
            clock += sleep
            let sample = DownloadSample(bytes: bytes, seconds: download, firstByte: transfer.firstByte, level: level)
            history.append(sample)
            let bitrate = video.bitratesKbps[level]
            records.append(SegmentRecord(
                time: downloadEnd, segment: segment + 1, representation: "\(Int(bitrate))k",
                level: level, bitrateKbps: bitrate, bytes: Int(bytes.rounded()), download: download,
                throughputKbps: sample.throughput * 8 / 1000, buffer: buffer, stall: stall, edge: edge))
            guard segment + 1 < video.segmentCount else { break }
            decision = rule.decide(ABRContext(video: video, segment: segment + 1, buffer: buffer,
                                              maxBuffer: settings.maxBuffer, lastLevel: level,
                                              history: history))
        }
        return records
    }

    /// The buffer after a segment took `seconds` to arrive: drained meanwhile (the stall is what
    /// it could not cover), the segment added, and above `maxBuffer` the excess slept off in whole
    /// `sleepStep`s with the link idle. Returns the stall and the sleep.
    static func settle<Network: NetworkModel>(buffer: inout Double, after seconds: Double, video: VideoTable,
                                              network: inout Network, settings: SessionSettings) -> (stall: Double, sleep: Double) {
        let (drained, stall) = PlayoutBuffer.drain(buffer, during: seconds)
        buffer = drained + video.segmentDuration
        guard buffer > settings.maxBuffer else { return (stall, 0) }
        let sleep = ((buffer - settings.maxBuffer) / settings.sleepStep).rounded(.up) * settings.sleepStep
        buffer -= sleep
        network.idle(sleep)
        return (stall, sleep)
    }

    /// When (seconds into the request) `AbandonmentRule` would give up fetching `segment` at
    /// `level`, and the level it would fetch instead; nil when the download is let finish.
    /// Judged on a copy of the network every `abandonmentCheck` seconds while playback runs.
    static func abandonment<Network: NetworkModel>(segment: Int, level: Int, buffer: Double, video: VideoTable,
                                                   network: Network, settings: SessionSettings) -> (Double, Int)? {
        guard level > 0 else { return nil }
        let total = video.size(segment: segment, level: level)
        var whole = network
        let finish = whole.download(bytes: total).seconds
        var elapsed = AbandonmentRule.minimumElapsed
        while elapsed < min(finish, buffer) {
            var probe = network
            let sent = probe.download(bytes: total, giveUpAfter: elapsed).bytes
            if let lower = AbandonmentRule.lowerLevel(bytes: Int(sent), total: Int(total), elapsed: elapsed,
                                                      buffer: buffer - elapsed, level: level, segment: segment, video: video) {
                return (elapsed, lower)
            }
            elapsed += settings.abandonmentCheck
        }
        return nil
    }
}
