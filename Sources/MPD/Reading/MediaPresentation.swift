import Foundation

/// An MPD as a player needs it: every representation's segments spelled out as URLs relative
/// to its base URLs, whichever addressing form the packager chose (SegmentTemplate with
/// $Number$ or $Time$, SegmentTimeline, SegmentList, SegmentBase with a sidx).
public struct MediaPresentation: Sendable {
    public var duration: Double?
    public var minBufferTime: Double
    public var periods: [PresentationPeriod]
    /// DASH-IF content steering, when the MPD carries it.
    public var steering: SteeringDescriptor?
}

public struct SteeringDescriptor: Sendable, Equatable {
    public var serverURL: URL
    public var defaultServiceLocation: String?
    public var queryBeforeStart: Bool

    public init(serverURL: URL, defaultServiceLocation: String?, queryBeforeStart: Bool) {
        self.serverURL = serverURL
        self.defaultServiceLocation = defaultServiceLocation
        self.queryBeforeStart = queryBeforeStart
    }
}

public struct PresentationPeriod: Sendable {
    public var id: String
    public var start: Double
    public var duration: Double
    public var tracks: [MediaTrack]

    public func track(_ kind: TrackKind) -> MediaTrack? { tracks.first { $0.kind == kind } }
}

public enum TrackKind: String, Sendable {
    case video, audio, other
}

/// One AdaptationSet: representations of the same content, lowest bandwidth first.
public struct MediaTrack: Sendable {
    public var kind: TrackKind
    public var language: String?
    public var representations: [TrackRepresentation]
    /// The DASH Role value (`main`, `alternate`, `subtitle` …), when the set has one.
    public var role: String? = nil
}

public struct TrackRepresentation: Sendable {
    public var id: String
    public var bandwidth: Int
    public var codecs: String?
    public var width: Int?
    public var height: Int?
    /// `@frameRate` as written (`30`, `30000/1001`); audio's sampling rate and channel count.
    public var frameRate: String? = nil
    public var audioSamplingRate: Int? = nil
    public var audioChannels: Int? = nil
    /// Where the representation can be fetched from, in the MPD's order of preference: every
    /// combination of the BaseURLs on the way down, each with the pathway (serviceLocation) it
    /// belongs to. Never empty: without BaseURLs it is the MPD's own URL.
    public var bases: [BaseLocation]
    public var addressing: SegmentAddressing

    public var label: String { height.map { "\($0)p" } ?? id }
}

public struct BaseLocation: Sendable, Equatable {
    public var url: URL
    public var serviceLocation: String?

    public init(url: URL, serviceLocation: String? = nil) {
        self.url = url
        self.serviceLocation = serviceLocation
    }
}

/// A part of a resource: a URL relative to the representation's base, and a byte range in it.
public struct ResourceReference: Sendable, Equatable {
    public var path: String
    public var range: ClosedRange<Int>?

    public init(path: String, range: ClosedRange<Int>? = nil) {
        self.path = path
        self.range = range
    }

    public func url(against base: URL) -> URL? {
        path.isEmpty ? base : URL(string: path, relativeTo: base)?.absoluteURL
    }
}

public struct MediaSegment: Sendable, Equatable {
    /// 1-based position in the representation (the log's segment number).
    public var index: Int
    /// Seconds from the period's start.
    public var start: Double
    public var duration: Double
    public var reference: ResourceReference
    /// Known exactly from a sidx or a mediaRange; otherwise nil.
    public var size: Int?
}

public enum SegmentAddressing: Sendable {
    /// Segments known from the MPD alone.
    case listed(initialization: ResourceReference?, segments: [MediaSegment])
    /// SegmentBase: one file whose sidx (at `index`) lists the segments.
    case indexed(initialization: ResourceReference?, index: ResourceReference)
}
