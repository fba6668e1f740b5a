/// Sizes as people write them in configurations and on command lines: `512MB`, `2GiB`, `65536`.
public enum ByteSize {
    /// The number of bytes, or nil if the text is not a size (negative sizes are not).
    public static func parse(_ text: String) -> Int64? {
        let text = text.filter { $0 != " " }
        let units: [(String, Double)] = [("KiB", 1024), ("MiB", 1_048_576), ("GiB", 1_073_741_824), ("TiB", 1_099_511_627_776),
                                         ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("TB", 1e12), ("B", 1)]
        for (unit, scale) in units where text.hasSuffix(unit) {
            guard let value = Double(text.dropLast(unit.count)), value >= 0 else { return nil }
            return Int64(value * scale)
        }
        guard let value = Int64(text), value >= 0 else { return nil }
        return value
    }
}
