import Foundation

/// The DASH-IF content steering form of a manifest: one MPD-level BaseURL per pathway (an edge,
/// named by `serviceLocation`) and a ContentSteering element pointing at the steering server,
/// which then orders the pathways per client. The rest of the manifest is kept byte for byte,
/// so relative segment URLs resolve under each BaseURL exactly as they did under the MPD's URL.
public enum ContentSteeringVariant {
    public struct Pathway: Sendable, Equatable {
        public let serviceLocation: String
        /// Absolute URL standing where the MPD itself was served from, e.g. `http://127.0.0.1:8081/manifests/`.
        public let baseURL: String

        public init(serviceLocation: String, baseURL: String) {
            self.serviceLocation = serviceLocation
            self.baseURL = baseURL
        }
    }

    /// The variant of `mpd`, or nil when it has no `<Period` to insert before or already
    /// carries MPD-level steering.
    public static func make(from mpd: String, pathways: [Pathway], steeringURL: String) -> String? {
        guard let firstPeriod = mpd.range(of: "<Period"), !mpd.contains("<ContentSteering"),
              let defaultPathway = pathways.first else { return nil }
        // Keep the Period's own indentation for the inserted lines.
        let lineStart = mpd[..<firstPeriod.lowerBound].lastIndex(of: "\n").map { mpd.index(after: $0) } ?? firstPeriod.lowerBound
        let indent = String(mpd[lineStart..<firstPeriod.lowerBound].prefix { $0 == " " || $0 == "\t" })
        var inserted = ""
        for pathway in pathways {
            inserted += "<BaseURL serviceLocation=\"\(escaped(pathway.serviceLocation))\">\(escaped(pathway.baseURL))</BaseURL>\n\(indent)"
        }
        inserted += "<ContentSteering defaultServiceLocation=\"\(escaped(defaultPathway.serviceLocation))\" "
            + "queryBeforeStart=\"true\">\(escaped(steeringURL))</ContentSteering>\n\(indent)"
        var out = mpd
        out.insert(contentsOf: inserted, at: firstPeriod.lowerBound)
        return out
    }


    /// The HLS form (content steering in RFC 8216bis §4.4.6.6): EXT-X-CONTENT-STEERING names the
    /// steering server and the default pathway; every rendition, variant and I-frame variant
    /// appears once per pathway, its URI made absolute on that pathway's edge, variants with
    /// PATHWAY-ID, each pathway with its own audio and subtitle groups. Nil when `playlist` is not a
    /// multivariant playlist or already carries steering.
    public static func hls(from playlist: String, pathways: [Pathway], steeringURL: String) -> String? {
        guard playlist.hasPrefix("#EXTM3U"), !playlist.contains("#EXT-X-CONTENT-STEERING"), !playlist.contains("#EXTINF"),
              let defaultPathway = pathways.first else { return nil }
        let lines = playlist.split(whereSeparator: \.isNewline).map(String.init)
        let streamTags = ["#EXT-X-MEDIA:", "#EXT-X-STREAM-INF:", "#EXT-X-I-FRAME-STREAM-INF:"]
        let firstStream = lines.firstIndex { line in streamTags.contains(where: line.hasPrefix) } ?? lines.count
        var out = Array(lines[..<firstStream])
        out.append("#EXT-X-CONTENT-STEERING:SERVER-URI=\"\(steeringURL)\",PATHWAY-ID=\"\(defaultPathway.serviceLocation)\"")
        for pathway in pathways {
            let id = pathway.serviceLocation
            func absolute(_ uri: String) -> String {
                URL(string: pathway.baseURL).flatMap { URL(string: uri, relativeTo: $0)?.absoluteString } ?? uri
            }
            var index = firstStream
            while index < lines.count {
                let line = lines[index]
                if line.hasPrefix("#EXT-X-MEDIA:") {
                    out.append(rewriting(line, ["URI": absolute, "GROUP-ID": { "\($0)-\(id)" }]))
                } else if line.hasPrefix("#EXT-X-STREAM-INF:"), index + 1 < lines.count {
                    out.append(rewriting(line, ["AUDIO": { "\($0)-\(id)" }, "SUBTITLES": { "\($0)-\(id)" }]) + ",PATHWAY-ID=\"\(id)\"")
                    out.append(absolute(lines[index + 1]))
                    index += 1
                } else if line.hasPrefix("#EXT-X-I-FRAME-STREAM-INF:") {
                    out.append(rewriting(line, ["URI": absolute]) + ",PATHWAY-ID=\"\(id)\"")
                }
                index += 1
            }
        }
        return out.joined(separator: "\n") + "\n"
    }

    /// `line` with the quoted values of the named attributes replaced.
    private static func rewriting(_ line: String, _ changes: [String: (String) -> String]) -> String {
        var out = line
        for (name, change) in changes {
            guard let start = out.range(of: ",\(name)=\"") ?? out.range(of: ":\(name)=\""),
                  let end = out[start.upperBound...].firstIndex(of: "\"") else { continue }
            out.replaceSubrange(start.upperBound..<end, with: change(String(out[start.upperBound..<end])))
        }
        return out
    }

    private static func escaped(_ text: String) -> String { XMLOut.escape(text) }
}
