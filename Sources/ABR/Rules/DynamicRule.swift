/// dash.js's default "dynamic" strategy: throughput rules while the buffer is short, BOLA once
/// it is long enough to trust, with hysteresis (on above 12 s, the stable buffer time; off
/// below half of it). Both rules see every decision so BOLA's state is ready when it takes over.
public final class DynamicRule: ABRRule {
    static let switchOn = 12.0
    static let switchOff = 6.0

    private let throughput = ThroughputRule()
    private let bola = BolaRule()
    private var usingBola = false

    public init() {}

    public func decide(_ context: ABRContext) -> ABRDecision {
        usingBola = usingBola ? context.buffer > Self.switchOff : context.buffer > Self.switchOn
        let byThroughput = throughput.decide(context)
        let byBola = bola.decide(context)
        return usingBola ? byBola : byThroughput
    }
}
