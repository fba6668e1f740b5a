import NIOCore

extension TimeAmount {
    public static func fromSeconds(_ value: Double) -> TimeAmount { .nanoseconds(Int64(value * 1e9)) }

    public var inSeconds: Double { Double(nanoseconds) / 1e9 }
}

/// Seconds on the monotonic clock the event loops use: the time servers measure intervals in.
public let monotonicSeconds: @Sendable () -> Double = { Double(NIODeadline.now().uptimeNanoseconds) / 1e9 }
