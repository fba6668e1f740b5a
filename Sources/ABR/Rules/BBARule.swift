/// Buffer-based adaptation (Huang et al., SIGCOMM 2014, "BBA-0"): the lowest level while the
/// buffer is inside the reservoir, the top level beyond reservoir + cushion, and a linear map in
/// between. Throughput plays no part, which is why it never panics on one slow download.
public final class BBARule: ABRRule {
    public let reservoir: Double
    public let cushion: Double

    public init(reservoir: Double = 5, cushion: Double = 10) {
        self.reservoir = reservoir
        self.cushion = cushion
    }

    public func decide(_ context: ABRContext) -> ABRDecision {
        let top = context.video.topLevel
        if context.buffer < reservoir { return ABRDecision(level: 0) }
        if context.buffer >= reservoir + cushion { return ABRDecision(level: top) }
        // Truncation, not rounding, as in the published reference.
        return ABRDecision(level: Int(Double(top) * (context.buffer - reservoir) / cushion))
    }
}
