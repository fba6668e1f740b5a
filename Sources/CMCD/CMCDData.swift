/// Common Media Client Data (CTA-5004): what a player tells the CDN about itself with each
/// request. Units are the specification's: kbps, milliseconds; `bl`, `dl` are rounded to the
/// nearest 100 ms and `mtp` to the nearest 100 kbps when sent.
public struct CMCDData: Sendable, Equatable {
    /// Object type (`ot`).
    public enum ObjectType: String, Sendable {
        case manifest = "m", audio = "a", video = "v", muxed = "av", initSegment = "i", caption = "c"
        case timedText = "tt", key = "k", other = "o"
    }

    public var encodedBitrateKbps: Int?          // br
    public var bufferLengthMs: Int?               // bl
    public var bufferStarvation = false           // bs
    public var contentID: String?                 // cid
    public var objectDurationMs: Int?             // d
    public var deadlineMs: Int?                   // dl
    public var measuredThroughputKbps: Int?       // mtp
    public var nextObjectRequest: String?         // nor
    public var nextRangeRequest: String?          // nrr
    public var objectType: ObjectType?            // ot
    public var playbackRate: Double?              // pr
    public var streamingFormat: String?           // sf: d (DASH), h (HLS), s, o
    public var sessionID: String?                 // sid
    public var streamType: String?                // st: v (VOD), l (live)
    public var startup = false                    // su
    public var topBitrateKbps: Int?               // tb
    public var version: Int?                      // v

    public init() {}

    /// Which header a key travels in, in header mode.
    public enum Shard: String, CaseIterable, Sendable {
        case object = "CMCD-Object", request = "CMCD-Request", session = "CMCD-Session", status = "CMCD-Status"
    }

    static func shard(of key: String) -> Shard {
        switch key {
        case "br", "d", "ot", "tb": return .object
        case "bl", "dl", "mtp", "nor", "nrr", "su": return .request
        case "bs", "rtp": return .status
        default: return .session
        }
    }
}

/// JSON with the specification's key names (an access log line's `cmcd` object).
extension CMCDData: Encodable {
    private enum Key: String, CodingKey {
        case br, bl, bs, cid, d, dl, mtp, nor, nrr, ot, pr, sf, sid, st, su, tb, v
    }

    public func encode(to encoder: Encoder) throws {
        var out = encoder.container(keyedBy: Key.self)
        try out.encodeIfPresent(encodedBitrateKbps, forKey: .br)
        try out.encodeIfPresent(bufferLengthMs, forKey: .bl)
        if bufferStarvation { try out.encode(true, forKey: .bs) }
        try out.encodeIfPresent(contentID, forKey: .cid)
        try out.encodeIfPresent(objectDurationMs, forKey: .d)
        try out.encodeIfPresent(deadlineMs, forKey: .dl)
        try out.encodeIfPresent(measuredThroughputKbps, forKey: .mtp)
        try out.encodeIfPresent(nextObjectRequest, forKey: .nor)
        try out.encodeIfPresent(nextRangeRequest, forKey: .nrr)
        try out.encodeIfPresent(objectType?.rawValue, forKey: .ot)
        try out.encodeIfPresent(playbackRate, forKey: .pr)
        try out.encodeIfPresent(streamingFormat, forKey: .sf)
        try out.encodeIfPresent(sessionID, forKey: .sid)
        try out.encodeIfPresent(streamType, forKey: .st)
        if startup { try out.encode(true, forKey: .su) }
        try out.encodeIfPresent(topBitrateKbps, forKey: .tb)
        try out.encodeIfPresent(version, forKey: .v)
    }
}
