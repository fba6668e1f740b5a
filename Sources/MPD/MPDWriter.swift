/// Writes a Manifest as MPD XML, children in the order DASH-MPD.xsd requires.
public enum MPDWriter {
    public static func xml(_ mpd: Manifest) -> String {
        var out = XMLOut()
        out.line(#"<?xml version="1.0" encoding="UTF-8"?>"#)
        out.open("MPD", [
            ("xmlns", "urn:mpeg:dash:schema:mpd:2011"),
            ("profiles", mpd.profiles),
            ("type", "static"),
            ("mediaPresentationDuration", duration(mpd.mediaPresentationDuration)),
            ("maxSegmentDuration", duration(mpd.maxSegmentDuration)),
            ("minBufferTime", duration(mpd.minBufferTime)),
        ])
        for period in mpd.periods { write(period, &out) }
        out.close("MPD")
        return out.text
    }

    /// xs:duration in seconds with millisecond precision, e.g. PT4.000S, never below the value:
    /// a maxSegmentDuration or presentation duration rounded down would understate the truth
    /// (PT3.029S for 3.02933 s fails the DASH-IF checks). A microsecond of slack keeps values
    /// that are whole milliseconds but for floating-point noise where they are.
    public static func duration(_ seconds: Double) -> String {
        "PT" + format3(seconds) + "S"
    }

    private static func format3(_ value: Double) -> String {
        let millis = Int64((value * 1000 - 1e-3).rounded(.up))
        let frac = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - frac.count) + frac
    }

    private static func write(_ period: Period, _ out: inout XMLOut) {
        out.open("Period", [("id", period.id), ("start", duration(period.start))])
        for set in period.adaptationSets { write(set, &out) }
        out.close("Period")
    }

    private static func write(_ set: AdaptationSet, _ out: inout XMLOut) {
        var attrs: [(String, String)] = [
            ("id", String(set.id)), ("contentType", set.contentType.rawValue), ("mimeType", set.mimeType),
            ("segmentAlignment", set.segmentAlignment ? "true" : "false"),
            ("startWithSAP", String(set.startWithSAP)),
        ]
        if let language = set.language { attrs.append(("lang", language)) }
        let widths = set.representations.compactMap(\.width)
        let heights = set.representations.compactMap(\.height)
        if let w = widths.max(), let h = heights.max() {
            attrs += [("maxWidth", String(w)), ("maxHeight", String(h))]
        }
        out.open("AdaptationSet", attrs)
        out.empty("Role", [("schemeIdUri", "urn:mpeg:dash:role:2011"), ("value", set.role)])
        if let template = set.segmentTemplate { write(template, &out) }
        for rep in set.representations { write(rep, &out) }
        out.close("AdaptationSet")
    }

    private static func write(_ rep: Representation, _ out: inout XMLOut) {
        var attrs: [(String, String)] = [("id", rep.id), ("bandwidth", String(rep.bandwidth))]
        if !rep.codecs.isEmpty { attrs.append(("codecs", rep.codecs)) }
        if let w = rep.width { attrs.append(("width", String(w))) }
        if let h = rep.height { attrs.append(("height", String(h))) }
        if let sar = rep.sar { attrs.append(("sar", sar)) }
        if let rate = rep.frameRate { attrs.append(("frameRate", rate)) }
        if let rate = rep.audioSamplingRate { attrs.append(("audioSamplingRate", String(rate))) }
        let hasChildren = rep.audioChannels != nil || rep.baseURL != nil || rep.segmentTemplate != nil
        guard hasChildren else { return out.empty("Representation", attrs) }
        out.open("Representation", attrs)
        if let channels = rep.audioChannels {
            out.empty("AudioChannelConfiguration", [
                ("schemeIdUri", "urn:mpeg:dash:23003:3:audio_channel_configuration:2011"),
                ("value", String(channels)),
            ])
        }
        if let baseURL = rep.baseURL { out.element("BaseURL", text: baseURL) }
        if let template = rep.segmentTemplate { write(template, &out) }
        out.close("Representation")
    }

    private static func write(_ template: SegmentTemplate, _ out: inout XMLOut) {
        var attrs: [(String, String)] = [("timescale", String(template.timescale))]
        if template.presentationTimeOffset != 0 {
            attrs.append(("presentationTimeOffset", String(template.presentationTimeOffset)))
        }
        attrs += [("initialization", template.initialization), ("media", template.media),
                  ("startNumber", String(template.startNumber))]
        out.open("SegmentTemplate", attrs)
        out.open("SegmentTimeline", [])
        for entry in template.timeline.entries {
            var s: [(String, String)] = []
            if let start = entry.start { s.append(("t", String(start))) }
            s.append(("d", String(entry.duration)))
            if entry.repeats != 0 { s.append(("r", String(entry.repeats))) }
            out.empty("S", s)
        }
        out.close("SegmentTimeline")
        out.close("SegmentTemplate")
    }
}

/// Indented XML text with escaped attribute values.
struct XMLOut {
    private(set) var text = ""
    private var depth = 0

    mutating func line(_ s: String) {
        text += String(repeating: "  ", count: depth) + s + "\n"
    }

    mutating func open(_ name: String, _ attrs: [(String, String)]) {
        line("<\(name)\(Self.attributes(attrs))>")
        depth += 1
    }

    mutating func empty(_ name: String, _ attrs: [(String, String)]) {
        line("<\(name)\(Self.attributes(attrs))/>")
    }

    /// `<name>text</name>` on one line, the text escaped.
    mutating func element(_ name: String, text content: String) {
        line("<\(name)>\(Self.escape(content))</\(name)>")
    }

    mutating func close(_ name: String) {
        depth -= 1
        line("</\(name)>")
    }

    static func attributes(_ attrs: [(String, String)]) -> String {
        attrs.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}
