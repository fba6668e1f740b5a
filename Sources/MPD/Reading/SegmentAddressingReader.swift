/// Works out one representation's segments from SegmentTemplate, SegmentList or SegmentBase,
/// which may sit on the Period, the AdaptationSet and the Representation: the innermost level
/// that has one decides the form, and attributes and children are inherited from outer levels.
struct SegmentAddressingReader {
    let levels: [MarkupElement]
    let representationID: String
    let bandwidth: Int
    let periodDuration: Double

    /// One addressing element merged over the levels.
    struct Merged {
        var attributes: [String: String] = [:]
        var children: [String: [MarkupElement]] = [:]

        subscript(name: String) -> String? { attributes[name] }
        func first(_ name: String) -> MarkupElement? { children[name]?.first }

        var timescale: Double { Double(attributes["timescale"].flatMap(Int64.init) ?? 1) }
        var presentationTimeOffset: Int64 { attributes["presentationTimeOffset"].flatMap(Int64.init) ?? 0 }
        var startNumber: Int { attributes["startNumber"].flatMap(Int.init) ?? 1 }
    }

    func read() throws -> SegmentAddressing {
        for form in ["SegmentTemplate", "SegmentList", "SegmentBase"] {
            guard levels.last(where: { $0.child(form) != nil }) != nil else { continue }
            let merged = merge(form)
            switch form {
            case "SegmentTemplate": return try template(merged)
            case "SegmentList": return try list(merged)
            default: return try base(merged)
            }
        }
        // A lone BaseURL is a single segment: the whole file.
        return .listed(initialization: nil, segments: [
            MediaSegment(index: 1, start: 0, duration: periodDuration, reference: ResourceReference(path: ""), size: nil),
        ])
    }

    private func merge(_ form: String) -> Merged {
        var merged = Merged()
        for node in levels.compactMap({ $0.child(form) }) {
            merged.attributes.merge(node.attributes) { $1 }
            for (name, group) in Dictionary(grouping: node.children, by: \.name) { merged.children[name] = group }
        }
        return merged
    }

    // MARK: SegmentTemplate

    private func template(_ merged: Merged) throws -> SegmentAddressing {
        guard let mediaText = merged["media"] else {
            throw MPDError("Representation \(representationID): SegmentTemplate has no @media")
        }
        let media = try SegmentURLTemplate(mediaText)
        let initialization = try merged["initialization"].map {
            ResourceReference(path: try SegmentURLTemplate($0).fill(representationID: representationID, bandwidth: bandwidth))
        }
        let segments = try timing(merged).enumerated().map { offset, timing in
            let number = merged.startNumber + offset
            let path = media.fill(representationID: representationID, number: number, bandwidth: bandwidth, time: timing.time)
            return MediaSegment(index: offset + 1, start: timing.start, duration: timing.duration,
                                reference: ResourceReference(path: path), size: nil)
        }
        return .listed(initialization: initialization, segments: segments)
    }

    // MARK: SegmentList

    private func list(_ merged: Merged) throws -> SegmentAddressing {
        let urls = merged.children["SegmentURL"] ?? []
        guard !urls.isEmpty else { throw MPDError("Representation \(representationID): SegmentList has no SegmentURL") }
        let timings = try timing(merged, count: urls.count)
        guard timings.count >= urls.count else {
            throw MPDError("Representation \(representationID): SegmentList lists \(urls.count) segments but its timing covers \(timings.count)")
        }
        let segments = try zip(urls, timings).enumerated().map { offset, pair in
            let range = try pair.0["mediaRange"].map { try Self.byteRange($0, "SegmentURL@mediaRange") }
            return MediaSegment(index: offset + 1, start: pair.1.start, duration: pair.1.duration,
                                reference: ResourceReference(path: pair.0["media"] ?? "", range: range),
                                size: range.map(\.count))
        }
        return .listed(initialization: try initialization(merged), segments: segments)
    }

    // MARK: SegmentBase

    private func base(_ merged: Merged) throws -> SegmentAddressing {
        let index: ResourceReference
        if let range = merged["indexRange"] {
            index = ResourceReference(path: "", range: try Self.byteRange(range, "SegmentBase@indexRange"))
        } else if let node = merged.first("RepresentationIndex") {
            index = ResourceReference(path: node["sourceURL"] ?? "",
                                      range: try node["range"].map { try Self.byteRange($0, "RepresentationIndex@range") })
        } else {
            throw MPDError("Representation \(representationID): SegmentBase has neither @indexRange nor RepresentationIndex")
        }
        return .indexed(initialization: try initialization(merged), index: index)
    }

    private func initialization(_ merged: Merged) throws -> ResourceReference? {
        if let node = merged.first("Initialization") {
            return ResourceReference(path: node["sourceURL"] ?? "",
                                     range: try node["range"].map { try Self.byteRange($0, "Initialization@range") })
        }
        return try merged["initialization"].map {
            ResourceReference(path: try SegmentURLTemplate($0).fill(representationID: representationID, bandwidth: bandwidth))
        }
    }

    // MARK: Timing

    struct Timing {
        var time: Int64
        var start: Double
        var duration: Double
    }

    /// Segment times from a SegmentTimeline, or from @duration over the period (`count` caps
    /// the number when a SegmentList says how many there are).
    private func timing(_ merged: Merged, count: Int? = nil) throws -> [Timing] {
        let timescale = merged.timescale
        guard timescale > 0 else { throw MPDError("Representation \(representationID): @timescale must be positive") }
        let offset = merged.presentationTimeOffset
        let periodEnd = offset + Int64((periodDuration * timescale).rounded())
        if let timeline = merged.first("SegmentTimeline") {
            return try readTimeline(timeline).segments(from: offset, until: periodEnd)
                .map { Timing(time: $0.start, start: Double($0.start - offset) / timescale, duration: Double($0.duration) / timescale) }
        }
        guard let duration = merged["duration"].flatMap(Int64.init), duration > 0 else {
            throw MPDError("Representation \(representationID): neither a SegmentTimeline nor a positive @duration")
        }
        let total = count ?? Int((Double(periodEnd - offset) / Double(duration) - 1e-9).rounded(.up))
        return (0..<max(total, 0)).map { position in
            let time = offset + Int64(position) * duration
            let end = min(time + duration, count == nil ? periodEnd : .max)
            return Timing(time: time, start: Double(time - offset) / timescale, duration: Double(end - time) / timescale)
        }
    }

    private func readTimeline(_ node: MarkupElement) throws -> SegmentTimeline {
        SegmentTimeline(entries: try node.children("S").map { entry in
            guard let duration = entry["d"].flatMap(Int64.init), duration > 0 else {
                throw MPDError("Representation \(representationID): an S element has no positive @d")
            }
            return SegmentTimeline.Entry(start: entry["t"].flatMap(Int64.init), duration: duration,
                                         repeats: entry["r"].flatMap(Int.init) ?? 0)
        })
    }

    static func byteRange(_ text: String, _ field: String) throws -> ClosedRange<Int> {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let first = Int(parts[0]), let last = Int(parts[1]), first >= 0, last >= first else {
            throw MPDError("\(field) \"\(text)\" is not a byte range like 0-999")
        }
        return first...last
    }
}
