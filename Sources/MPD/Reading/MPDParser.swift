import Foundation

/// Reads an MPD into a `MediaPresentation`. Relative BaseURLs resolve against `url`, the
/// address the MPD was fetched from (after redirects).
public enum MPDParser {
    public static func parse(_ data: Data, url: URL) throws -> MediaPresentation {
        let root = try MarkupElement.parse(data)
        guard root.name == "MPD" else { throw MPDError("the root element is <\(root.name)>, not <MPD>") }
        if root["type"] == "dynamic" {
            throw MPDError("a dynamic (live) MPD; dashcdn plays on-demand presentations (type=\"static\")")
        }
        let duration = try root["mediaPresentationDuration"].map { try seconds($0, "MPD@mediaPresentationDuration") }
        let minBuffer = try root["minBufferTime"].map { try seconds($0, "MPD@minBufferTime") } ?? 2
        let bases = resolveBases([BaseLocation(url: url, serviceLocation: nil)], below: root)
        let periodNodes = root.children("Period")
        guard !periodNodes.isEmpty else { throw MPDError("the MPD has no Period") }
        var periods: [PresentationPeriod] = []
        var nextStart = 0.0
        for (position, node) in periodNodes.enumerated() {
            let start = try node["start"].map { try seconds($0, "Period@start") } ?? nextStart
            let following = position + 1 < periodNodes.count
                ? try periodNodes[position + 1]["start"].map { try seconds($0, "Period@start") } : nil
            let end = try node["duration"].map { start + (try seconds($0, "Period@duration")) }
                ?? following ?? duration
            guard let end, end > start else {
                throw MPDError("Period \(position + 1) has no known duration (no Period@duration, next Period@start or MPD@mediaPresentationDuration)")
            }
            let context = PeriodContext(node: node, duration: end - start, bases: resolveBases(bases, below: node))
            periods.append(PresentationPeriod(id: node["id"] ?? "\(position + 1)", start: start,
                                              duration: end - start, tracks: try tracks(in: context)))
            nextStart = end
        }
        return MediaPresentation(duration: duration ?? nextStart, minBufferTime: minBuffer,
                                 periods: periods, steering: steering(root, url: url))
    }

    struct PeriodContext {
        let node: MarkupElement
        let duration: Double
        let bases: [BaseLocation]
    }

    private static func tracks(in period: PeriodContext) throws -> [MediaTrack] {
        try period.node.children("AdaptationSet").map { set in
            let setBases = resolveBases(period.bases, below: set)
            let representations = try set.children("Representation").map { node in
                try representation(node, set: set, period: period, bases: resolveBases(setBases, below: node))
            }
            guard !representations.isEmpty else { throw MPDError("an AdaptationSet has no Representation") }
            let kind = trackKind(set, first: set.children("Representation")[0])
            return MediaTrack(kind: kind, language: set["lang"],
                              representations: representations.sorted { $0.bandwidth < $1.bandwidth },
                              role: set.children("Role").first?["value"])
        }
    }

    private static func representation(_ node: MarkupElement, set: MarkupElement, period: PeriodContext,
                                       bases: [BaseLocation]) throws -> TrackRepresentation {
        guard let id = node["id"] else { throw MPDError("a Representation has no @id") }
        guard let bandwidth = node["bandwidth"].flatMap(Int.init), bandwidth > 0 else {
            throw MPDError("Representation \(id) has no valid @bandwidth")
        }
        let levels = [period.node, set, node]
        let addressing = try SegmentAddressingReader(levels: levels, representationID: id, bandwidth: bandwidth,
                                                     periodDuration: period.duration).read()
        let channels = (node.children("AudioChannelConfiguration").first ?? set.children("AudioChannelConfiguration").first)?["value"]
        return TrackRepresentation(id: id, bandwidth: bandwidth, codecs: node["codecs"] ?? set["codecs"],
                                   width: (node["width"] ?? set["width"]).flatMap(Int.init),
                                   height: (node["height"] ?? set["height"]).flatMap(Int.init),
                                   frameRate: node["frameRate"] ?? set["frameRate"],
                                   audioSamplingRate: (node["audioSamplingRate"] ?? set["audioSamplingRate"]).flatMap(Int.init),
                                   audioChannels: channels.flatMap(Int.init),
                                   bases: bases, addressing: addressing)
    }

    private static func trackKind(_ set: MarkupElement, first: MarkupElement) -> TrackKind {
        if let type = set["contentType"] { return TrackKind(rawValue: type) ?? .other }
        let mime = set["mimeType"] ?? first["mimeType"] ?? ""
        if mime.hasPrefix("video/") { return .video }
        if mime.hasPrefix("audio/") { return .audio }
        let codecs = set["codecs"] ?? first["codecs"] ?? ""
        if ["avc", "hvc", "hev", "av01", "vp09"].contains(where: codecs.hasPrefix) { return .video }
        if ["mp4a", "ac-3", "ec-3", "opus"].contains(where: codecs.hasPrefix) { return .audio }
        return .other
    }

    /// Each BaseURL of `node` resolved against each inherited base; the inherited list when it has none.
    static func resolveBases(_ inherited: [BaseLocation], below node: MarkupElement) -> [BaseLocation] {
        let own = node.children("BaseURL")
        guard !own.isEmpty else { return inherited }
        let resolved = inherited.flatMap { parent in
            own.compactMap { base -> BaseLocation? in
                guard let url = URL(string: base.trimmedText, relativeTo: parent.url)?.absoluteURL else { return nil }
                return BaseLocation(url: url, serviceLocation: base["serviceLocation"] ?? parent.serviceLocation)
            }
        }
        return resolved.isEmpty ? inherited : resolved
    }

    private static func steering(_ root: MarkupElement, url: URL) -> SteeringDescriptor? {
        guard let node = root.child("ContentSteering"),
              let server = URL(string: node.trimmedText, relativeTo: url)?.absoluteURL else { return nil }
        return SteeringDescriptor(serverURL: server, defaultServiceLocation: node["defaultServiceLocation"],
                                  queryBeforeStart: node["queryBeforeStart"] == "true")
    }

    static func seconds(_ text: String, _ field: String) throws -> Double {
        guard let value = ISODuration.seconds(text), value >= 0 else {
            throw MPDError("\(field) \"\(text)\" is not a duration")
        }
        return value
    }
}
