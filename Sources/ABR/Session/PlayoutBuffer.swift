/// The playout buffer's arithmetic for one download, shared by the player loop and the MPC
/// planners so that what a plan predicts and what the session then lives through agree.
enum PlayoutBuffer {
    /// The buffer left once a download of `downloadTime` seconds finishes while playback drains
    /// it, and the stall if it ran dry first. The new segment is not yet added.
    @inline(__always)
    static func drain(_ buffer: Double, during downloadTime: Double) -> (buffer: Double, stall: Double) {
        buffer < downloadTime ? (0, downloadTime - buffer) : (buffer - downloadTime, 0)
    }
}
