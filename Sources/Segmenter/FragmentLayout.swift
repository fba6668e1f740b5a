/// Where things sit in one CMAF fragment (`moof` + `mdat`, ISO/IEC 14496-12), read from its
/// bytes: what an HLS I-frame playlist needs to point a byte range at a segment's first sample.
enum FragmentLayout {
    /// Bytes from the fragment's start to the end of its first sample (the IDR that opens every
    /// video segment), `moof` included so a player can parse what it fetched; nil when the
    /// fragment is not laid out as expected.
    static func firstSampleEnd(_ bytes: [UInt8]) -> Int? {
        guard let moof = box("moof", in: bytes, from: 0, to: bytes.count),
              let traf = box("traf", in: bytes, from: moof.body, to: moof.end),
              let trun = box("trun", in: bytes, from: traf.body, to: traf.end) else { return nil }
        let defaultSize = box("tfhd", in: bytes, from: traf.body, to: traf.end).flatMap { defaultSampleSize(bytes, tfhd: $0) }
        // trun: version/flags, sample count, then the optional data offset and first-sample flags.
        var cursor = trun.body
        let flags = u32(bytes, cursor) & 0xFF_FFFF
        guard u32(bytes, cursor + 4) > 0 else { return nil }
        cursor += 8
        var dataOffset = 0
        if flags & 0x1 != 0 { dataOffset = Int(Int32(bitPattern: u32(bytes, cursor))); cursor += 4 }
        if flags & 0x4 != 0 { cursor += 4 }
        if flags & 0x100 != 0 { cursor += 4 }
        let size = flags & 0x200 != 0 ? Int(u32(bytes, cursor)) : defaultSize
        guard let size, dataOffset > 0 else { return nil }
        let end = moof.start + dataOffset + size
        return end <= bytes.count ? end : nil
    }

    private struct Box { let start: Int; let body: Int; let end: Int }

    /// The first box of `type` among the boxes in `range` (no 64-bit sizes in what movenc writes here).
    private static func box(_ type: String, in bytes: [UInt8], from start: Int, to end: Int) -> Box? {
        var cursor = start
        let wanted = Array(type.utf8)
        while cursor + 8 <= end {
            let size = Int(u32(bytes, cursor))
            guard size >= 8, cursor + size <= end else { return nil }
            if Array(bytes[(cursor + 4)..<(cursor + 8)]) == wanted { return Box(start: cursor, body: cursor + 8, end: cursor + size) }
            cursor += size
        }
        return nil
    }

    /// tfhd's default sample size, when it carries one.
    private static func defaultSampleSize(_ bytes: [UInt8], tfhd: Box) -> Int? {
        let flags = u32(bytes, tfhd.body) & 0xFF_FFFF
        var cursor = tfhd.body + 8  // version/flags, track ID
        if flags & 0x1 != 0 { cursor += 8 }
        if flags & 0x2 != 0 { cursor += 4 }
        if flags & 0x8 != 0 { cursor += 4 }
        return flags & 0x10 != 0 && cursor + 4 <= tfhd.end ? Int(u32(bytes, cursor)) : nil
    }

    private static func u32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        guard at + 4 <= bytes.count else { return 0 }
        return bytes[at..<(at + 4)].reduce(0) { $0 << 8 | UInt32($1) }
    }
}
