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


    private static func escaped(_ text: String) -> String { XMLOut.escape(text) }
}
