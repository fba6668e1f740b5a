/// The lowest @bandwidth that ISO/IEC 23009-1 allows for a representation: delivered at that
/// constant rate from any segment start, after @minBufferTime worth of it has arrived, playback
/// never runs dry. Checked per segment: segments j…i must all have arrived by the time segment i
/// starts playing, that is by minBufferTime + (start_i − start_j) seconds.
public enum BandwidthRequirement {
    /// - Parameters:
    ///   - sizes: bytes of each segment, in order.
    ///   - durations: seconds of each segment, in order.
    /// - Returns: bits per second, rounded up.
    public static func minimumBandwidth(sizes: [Int], durations: [Double], minBufferTime: Double) -> Int {
        precondition(sizes.count == durations.count)
        var starts: [Double] = []
        var t = 0.0
        for d in durations { starts.append(t); t += d }
        var required = 0.0
        for j in sizes.indices {
            var bits = 0.0
            for i in j..<sizes.count {
                bits += Double(sizes[i]) * 8
                let deadline = minBufferTime + starts[i] - starts[j]
                required = max(required, bits / deadline)
            }
        }
        return Int(required.rounded(.up))
    }
}
