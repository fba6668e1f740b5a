/// RFC 6381 codecs strings, read from the encoder's own configuration bytes.
public enum CodecString {
    /// `avc1.PPCCLL` from an avcC record or from Annex B SPS/PPS (what libx264 gives).
    public static func avc(extradata e: [UInt8]) -> String? {
        if e.count >= 4, e[0] == 1 { return avc1(e[1], e[2], e[3]) }
        // Annex B: find the SPS (NAL type 7) after a start code.
        var i = 0
        while i + 3 < e.count {
            if e[i] == 0, e[i + 1] == 0, e[i + 2] == 1 {
                let nal = i + 3
                if e[nal] & 0x1F == 7, nal + 3 < e.count { return avc1(e[nal + 1], e[nal + 2], e[nal + 3]) }
                i = nal
            } else {
                i += 1
            }
        }
        return nil
    }

    private static func avc1(_ profile: UInt8, _ constraints: UInt8, _ level: UInt8) -> String {
        "avc1." + [profile, constraints, level].map { hex($0) }.joined()
    }

    /// `mp4a.40.N` from an AudioSpecificConfig, N its audio object type (2 = AAC-LC).
    public static func mp4a(audioSpecificConfig c: [UInt8]) -> String? {
        guard let first = c.first else { return nil }
        var objectType = Int(first >> 3)
        if objectType == 31 {
            guard c.count >= 2 else { return nil }
            objectType = 32 + Int((first & 0x07) << 3) + Int(c[1] >> 5)
        }
        return "mp4a.40.\(objectType)"
    }

    static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}
