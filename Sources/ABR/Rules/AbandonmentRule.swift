/// When to give up on a download under way (dash.js's AbandonRequestsRule, in its essentials):
/// once half a second of it has been seen, if the rest would take longer than the buffer lasts,
/// and a lower level would arrive in time at the rate measured so far, stop and fetch that.
public enum AbandonmentRule {
    /// Judge no download before this much of it has been seen.
    static let minimumElapsed = 0.5
    /// Nearly finished downloads are let through.
    static let nearlyDone = 0.8

    /// The level to re-request at, or nil to carry on. `buffer` is what is left to play now.
    public static func lowerLevel(bytes: Int, total: Int, elapsed: Double, buffer: Double, level: Int,
                                  segment: Int, video: VideoTable) -> Int? {
        guard level > 0, elapsed >= minimumElapsed, total > 0, Double(bytes) < nearlyDone * Double(total) else { return nil }
        let rate = Double(max(bytes, 1)) / elapsed
        let remaining = Double(total - bytes) / rate
        guard remaining > buffer else { return nil }
        // The highest lower level that would be in before the buffer runs dry, else the lowest.
        var choice = 0
        for candidate in 0..<level where video.size(segment: segment, level: candidate) / rate < buffer {
            choice = candidate
        }
        // Restarting only pays when the replacement beats what is left of this one.
        return video.size(segment: segment, level: choice) / rate < remaining ? choice : nil
    }
}
