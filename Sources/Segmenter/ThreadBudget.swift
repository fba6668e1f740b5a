/// Threads for the source's decoder and for each rung's x264 when none are asked for.
public enum ThreadBudget {
    /// Left to itself every x264 instance starts about 1.5 frame threads per core plus lookahead
    /// threads, so a 5-rung ladder on 2 cores runs some 20 encoder threads, and frame threading
    /// has a price: each thread waits on rows of its reference frames and rate control works from
    /// older statistics. The rungs already run side by side, so a rung needs more than one thread
    /// only when its share of the pixels is more than its share of the cores: each gets threads in
    /// proportion to its pixels, at x264's own 1.5 per core.
    public static func x264Threads(for rungs: [Rung], cores: Int) -> [Int] {
        let pixels = rungs.map { Double($0.width * $0.height) }
        let total = pixels.reduce(0, +)
        return pixels.map { share in
            max(1, Int((share / total * Double(max(cores, 1)) * 1.5).rounded(.up)))
        }
    }

    /// Decoding is about a tenth of a ladder's work (1080p H.264: ~10 ms a frame against ~75 ms
    /// for the five x264 rungs), so it needs a tenth of the cores. Frame-threaded decoding on more
    /// threads than that only competes with the encoders and costs CPU in hand-offs: on 2 cores,
    /// one decoding thread encodes the default ladder ~10 % faster than one per core.
    public static func decoderThreads(cores: Int) -> Int {
        max(1, Int((Double(cores) * 0.15).rounded(.up)))
    }
}
