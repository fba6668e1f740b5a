import Foundation
import TestSupport

/// Just enough ISO BMFF reading to check the segmenter's output independently of it: boxes by
/// path, tfdt's decode time, mdhd's timescale, avcC's profile bytes, and the NAL types in mdat.
struct MP4Boxes {
    let data: Data

    init(_ url: URL) throws { data = try Data(contentsOf: url) }

    /// (type, payload range) of the boxes directly inside `range`.
    func children(_ range: Range<Int>) -> [(String, Range<Int>)] {
        var result: [(String, Range<Int>)] = []
        var offset = range.lowerBound
        while offset + 8 <= range.upperBound {
            var size = Int(u32(offset))
            let type = String(decoding: data[offset + 4..<offset + 8], as: UTF8.self)
            var header = 8
            if size == 1 { size = Int(u64(offset + 8)); header = 16 }
            if size == 0 { size = range.upperBound - offset }
            guard size >= header, offset + size <= range.upperBound else { break }
            result.append((type, offset + header..<offset + size))
            offset += size
        }
        return result
    }

    /// The payload of the first box at a path such as ["moof", "traf", "tfdt"].
    func find(_ path: [String], in range: Range<Int>? = nil) -> Range<Int>? {
        var current = range ?? data.startIndex..<data.endIndex
        for (depth, name) in path.enumerated() {
            // Sample entries hold a fixed header before their child boxes.
            let skip = depth > 0 && ["avc1", "mp4a"].contains(path[depth - 1]) ? (path[depth - 1] == "avc1" ? 78 : 28) : 0
            let stsd = depth > 0 && path[depth - 1] == "stsd" ? 8 : 0
            let inner = current.lowerBound + skip + stsd..<current.upperBound
            guard let hit = children(inner).first(where: { $0.0 == name }) else { return nil }
            current = hit.1
        }
        return current
    }

    func u32(_ at: Int) -> UInt32 { data[at..<at + 4].reduce(0) { $0 << 8 | UInt32($1) } }
    func u64(_ at: Int) -> UInt64 { data[at..<at + 8].reduce(0) { $0 << 8 | UInt64($1) } }

    var baseMediaDecodeTime: UInt64? {
        guard let tfdt = find(["moof", "traf", "tfdt"]) else { return nil }
        return data[tfdt.lowerBound] == 1 ? u64(tfdt.lowerBound + 4) : UInt64(u32(tfdt.lowerBound + 4))
    }

    var timescale: UInt32? {
        guard let mdhd = find(["moov", "trak", "mdia", "mdhd"]) else { return nil }
        return u32(mdhd.lowerBound + (data[mdhd.lowerBound] == 1 ? 20 : 12))
    }

    /// The media time at which the edit list starts the presentation (its one entry).
    var editListMediaTime: Int64? {
        guard let elst = find(["moov", "trak", "edts", "elst"]), u32(elst.lowerBound + 4) == 1 else { return nil }
        return data[elst.lowerBound] == 1 ? Int64(bitPattern: u64(elst.lowerBound + 16))
            : Int64(Int32(bitPattern: u32(elst.lowerBound + 12)))
    }

    /// The first sample's composition time offset in the fragment's `trun` (0 when none is given).
    var firstCompositionOffset: Int64? {
        guard let trun = find(["moof", "traf", "trun"]) else { return nil }
        let flags = u32(trun.lowerBound) & 0xFFFFFF
        guard flags & 0x800 != 0 else { return 0 }
        var offset = trun.lowerBound + 8 + (flags & 0x1 != 0 ? 4 : 0) + (flags & 0x4 != 0 ? 4 : 0)
        for bit in [UInt32(0x100), 0x200, 0x400] where flags & bit != 0 { offset += 4 }
        let raw = u32(offset)
        return data[trun.lowerBound] == 1 ? Int64(Int32(bitPattern: raw)) : Int64(raw)
    }

    /// `avc1.PPCCLL` from the init segment's avcC.
    var avcCodecString: String? {
        guard let avcC = find(["moov", "trak", "mdia", "minf", "stbl", "stsd", "avc1", "avcC"]) else { return nil }
        let b = data[avcC.lowerBound + 1..<avcC.lowerBound + 4]
        return "avc1." + b.map { String(format: "%02x", $0) }.joined()
    }

    /// NAL unit types in the fragment's mdat, in order (4-byte length prefixes, as avcC says).
    var nalTypes: [UInt8] {
        guard let mdat = children(data.startIndex..<data.endIndex).first(where: { $0.0 == "mdat" })?.1 else { return [] }
        var types: [UInt8] = []
        var offset = mdat.lowerBound
        while offset + 5 <= mdat.upperBound {
            let length = Int(u32(offset))
            types.append(data[offset + 4] & 0x1F)
            offset += 4 + length
        }
        return types
    }
}
