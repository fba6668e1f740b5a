import ABR
import Foundation
import MPD

/// One AdaptationSet ready to play: its representations (lowest bandwidth first, one per
/// bandwidth), their init segments and media segments, with SegmentBase indexes fetched.
struct TrackLadder {
    let representations: [TrackRepresentation]
    let initialization: [ResourceReference?]
    let segments: [[MediaSegment]]
    /// Segments every representation has.
    let count: Int

    static func resolve(_ track: MediaTrack, route: LiveSession.Route) async throws -> TrackLadder {
        var representations: [TrackRepresentation] = []
        for representation in track.representations where representation.bandwidth > (representations.last?.bandwidth ?? 0) {
            representations.append(representation)
        }
        var initialization: [ResourceReference?] = []
        var segments: [[MediaSegment]] = []
        for representation in representations {
            switch representation.addressing {
            case .listed(let initSegment, let list):
                initialization.append(initSegment)
                segments.append(list)
            case .indexed(let initSegment, let index):
                let (result, _) = try await route.fetch(index, of: representation, keepBody: true)
                let references: [SegmentIndex.Reference]
                do {
                    references = try SegmentIndex.parse(Array(result.body ?? Data()), offset: index.range?.lowerBound ?? 0)
                } catch let error as MPDError {
                    throw PlayerError("Representation \(representation.id): \(error.description)")
                }
                initialization.append(initSegment)
                segments.append(SegmentIndex.segments(references, path: ""))
            }
        }
        let count = segments.map(\.count).min() ?? 0
        guard count > 0 else { throw PlayerError("a \(track.kind.rawValue) AdaptationSet has no segments") }
        return TrackLadder(representations: representations, initialization: initialization, segments: segments, count: count)
    }

    /// What the ABR rules see: nominal bitrates, and every segment's size (exact where the MPD
    /// or the sidx says, else bitrate × duration).
    func table() throws -> VideoTable {
        let durations = segments[0].prefix(count).map(\.duration)
        let sizes = (0..<count).map { index in
            representations.indices.map { level in
                let segment = segments[level][index]
                return Double(segment.size ?? Int(Double(representations[level].bandwidth) / 8 * max(segment.duration, 0.001)))
            }
        }
        return try VideoTable(segmentDuration: durations.reduce(0, +) / Double(count),
                              bitratesKbps: representations.map { Double($0.bandwidth) / 1000 }, sizesBytes: sizes)
    }
}
