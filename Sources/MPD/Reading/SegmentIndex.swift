/// The `sidx` box (ISO/IEC 14496-12 §8.16.3) that SegmentBase points at with @indexRange: the
/// size and duration of every subsegment of a single-file representation.
public enum SegmentIndex {
    public struct Reference: Sendable, Equatable {
        public var range: ClosedRange<Int>
        public var start: Double
        public var duration: Double
    }

    /// Parses the sidx found in `bytes`, which were read from file offset `offset`.
    public static func parse(_ bytes: [UInt8], offset: Int) throws -> [Reference] {
        var reader = BoxReader(bytes: bytes)
        // The index range may hold other boxes before the sidx (some packagers include styp).
        while true {
            guard let size = reader.u32(), let type = reader.u32() else { throw MPDError("no sidx box in the index range") }
            let boxStart = reader.position - 8
            guard size >= 8, boxStart + Int(size) <= bytes.count else { throw MPDError("the sidx box is cut short") }
            if type == 0x7369_6478 { return try references(&reader, boxEnd: offset + boxStart + Int(size)) }
            reader.position = boxStart + Int(size)
        }
    }

    private static func references(_ reader: inout BoxReader, boxEnd: Int) throws -> [Reference] {
        guard let versionAndFlags = reader.u32(), reader.u32() != nil, let timescale = reader.u32(), timescale > 0 else {
            throw MPDError("the sidx box is cut short")
        }
        let version = versionAndFlags >> 24
        let earliest = version == 0 ? reader.u32().map(UInt64.init) : reader.u64()
        let firstOffset = version == 0 ? reader.u32().map(UInt64.init) : reader.u64()
        guard let earliest, let firstOffset, reader.u16() != nil, let count = reader.u16() else {
            throw MPDError("the sidx box is cut short")
        }
        var references: [Reference] = []
        var byte = boxEnd + Int(firstOffset)
        var time = Double(earliest)
        for _ in 0..<count {
            guard let typeAndSize = reader.u32(), let duration = reader.u32(), reader.u32() != nil else {
                throw MPDError("the sidx box is cut short")
            }
            guard typeAndSize >> 31 == 0 else { throw MPDError("hierarchical sidx (a sidx that points at sidx boxes) is not supported") }
            let size = Int(typeAndSize & 0x7FFF_FFFF)
            guard size > 0 else { throw MPDError("the sidx lists an empty subsegment") }
            references.append(Reference(range: byte...(byte + size - 1), start: time / Double(timescale),
                                        duration: Double(duration) / Double(timescale)))
            byte += size
            time += Double(duration)
        }
        return references
    }

    public static func segments(_ references: [Reference], path: String) -> [MediaSegment] {
        let origin = references.first?.start ?? 0
        return references.enumerated().map { offset, reference in
            MediaSegment(index: offset + 1, start: reference.start - origin, duration: reference.duration,
                         reference: ResourceReference(path: path, range: reference.range), size: reference.range.count)
        }
    }
}

/// Big-endian reads over a byte array; nil past the end.
struct BoxReader {
    let bytes: [UInt8]
    var position = 0

    mutating func u16() -> UInt16? { read(2).map { UInt16($0) } }
    mutating func u32() -> UInt32? { read(4).map { UInt32($0) } }
    mutating func u64() -> UInt64? { read(8) }

    private mutating func read(_ count: Int) -> UInt64? {
        guard position + count <= bytes.count else { return nil }
        var value: UInt64 = 0
        for byte in bytes[position..<position + count] { value = value << 8 | UInt64(byte) }
        position += count
        return value
    }
}
