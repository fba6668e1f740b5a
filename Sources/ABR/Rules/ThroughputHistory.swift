import Foundation

/// One finished download as the player measured it: bytes over the whole request time
/// (round trip included), so estimates carry the per-request cost a real player pays.
public struct DownloadSample: Sendable {
    public var bytes: Double
    /// From sending the request to the last byte.
    public var seconds: Double
    /// From sending the request to the first byte (the per-request cost).
    public var firstByte: Double
    public var level: Int

    public init(bytes: Double, seconds: Double, firstByte: Double, level: Int) {
        self.bytes = bytes
        self.seconds = seconds
        self.firstByte = min(firstByte, seconds)
        self.level = level
    }

    /// Bytes per second over the whole request.
    public var throughput: Double { bytes / max(seconds, 1e-9) }

    /// Bytes per second once the body flowed: the link's rate without the request's latency.
    public var transferRate: Double { bytes / max(seconds - firstByte, 1e-9) }
}

/// The downloads so far and the estimators the rules build on them.
public struct ThroughputHistory: Sendable {
    public private(set) var samples: [DownloadSample] = []
    /// dash.js's two exponentially weighted averages, weighted by download time: the fast one
    /// reacts to drops, the slow one to lasting change; rules take the lower (the safe one).
    private var fast = WeightedAverage(halfLife: 3)
    private var slow = WeightedAverage(halfLife: 8)

    public init() { samples.reserveCapacity(64) }

    public mutating func append(_ sample: DownloadSample) {
        samples.append(sample)
        fast.add(sample.throughput, weight: sample.seconds)
        slow.add(sample.throughput, weight: sample.seconds)
    }

    public var isEmpty: Bool { samples.isEmpty }
    public var last: DownloadSample? { samples.last }

    /// Harmonic mean in bytes/s of the last `count` downloads' `rate` (whole-request throughput
    /// unless told otherwise; robust to one fast outlier), or nil before the first download.
    public func harmonicMean(last count: Int, of rate: KeyPath<DownloadSample, Double> = \.throughput) -> Double? {
        guard !samples.isEmpty else { return nil }
        let recent = samples.suffix(count)
        var inverseSum = 0.0
        for sample in recent { inverseSum += 1 / sample[keyPath: rate] }
        return Double(recent.count) / inverseSum
    }

    /// The lower of the fast and slow moving averages in bytes/s, or nil before the first download.
    public var safeAverage: Double? {
        guard let fastValue = fast.value, let slowValue = slow.value else { return nil }
        return min(fastValue, slowValue)
    }
}

/// An exponentially weighted moving average with a half-life in units of weight (seconds of
/// download), corrected for its zero start as dash.js does.
struct WeightedAverage: Sendable {
    let halfLife: Double
    private var estimate = 0.0
    private var totalWeight = 0.0

    init(halfLife: Double) { self.halfLife = halfLife }

    mutating func add(_ value: Double, weight: Double) {
        let alpha = pow2(-weight / halfLife)
        estimate = alpha * estimate + (1 - alpha) * value
        totalWeight += weight
    }

    var value: Double? {
        guard totalWeight > 0 else { return nil }
        return estimate / (1 - pow2(-totalWeight / halfLife))
    }

    private func pow2(_ x: Double) -> Double { exp2(x) }
}
