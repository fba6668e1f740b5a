/// An MPEG-DASH Media Presentation Description, as much of ISO/IEC 23009-1 as dashcdn writes.
/// Static (video on demand), isoff-live profile, SegmentTemplate addressing.
public struct Manifest: Equatable, Sendable {
    public var profiles = "urn:mpeg:dash:profile:isoff-live:2011"
    public var mediaPresentationDuration: Double
    public var maxSegmentDuration: Double
    public var minBufferTime: Double
    public var periods: [Period]

    public init(mediaPresentationDuration: Double, maxSegmentDuration: Double, minBufferTime: Double, periods: [Period]) {
        self.mediaPresentationDuration = mediaPresentationDuration
        self.maxSegmentDuration = maxSegmentDuration
        self.minBufferTime = minBufferTime
        self.periods = periods
    }
}

public struct Period: Equatable, Sendable {
    public var id: String
    public var start: Double
    public var adaptationSets: [AdaptationSet]

    public init(id: String = "0", start: Double = 0, adaptationSets: [AdaptationSet]) {
        self.id = id
        self.start = start
        self.adaptationSets = adaptationSets
    }
}

public enum ContentType: String, Sendable {
    case video, audio, text
}

public struct AdaptationSet: Equatable, Sendable {
    public var id: Int
    public var contentType: ContentType
    public var mimeType: String
    public var language: String?
    /// DASH role (urn:mpeg:dash:role:2011): `main`, or `alternate` for another language's track.
    public var role = "main"
    public var segmentAlignment = true
    public var startWithSAP = 1
    /// Shared by every representation when their timelines agree (the usual case for video).
    public var segmentTemplate: SegmentTemplate?
    public var representations: [Representation]

    public init(id: Int, contentType: ContentType, mimeType: String, language: String? = nil,
                segmentTemplate: SegmentTemplate? = nil, representations: [Representation]) {
        self.id = id
        self.contentType = contentType
        self.mimeType = mimeType
        self.language = language
        self.segmentTemplate = segmentTemplate
        self.representations = representations
    }
}

public struct Representation: Equatable, Sendable {
    public var id: String
    public var bandwidth: Int
    public var codecs: String
    public var width: Int?
    public var height: Int?
    /// As the MPD writes it: "30" or "30000/1001".
    public var frameRate: String?
    public var sar: String?
    public var audioSamplingRate: Int?
    public var audioChannels: Int?
    /// A whole-file resource instead of segments (a sidecar WebVTT file), relative to the MPD.
    public var baseURL: String?
    public var segmentTemplate: SegmentTemplate?

    public init(id: String, bandwidth: Int, codecs: String, width: Int? = nil, height: Int? = nil,
                frameRate: String? = nil, sar: String? = nil, audioSamplingRate: Int? = nil,
                audioChannels: Int? = nil, segmentTemplate: SegmentTemplate? = nil) {
        self.id = id
        self.bandwidth = bandwidth
        self.codecs = codecs
        self.width = width
        self.height = height
        self.frameRate = frameRate
        self.sar = sar
        self.audioSamplingRate = audioSamplingRate
        self.audioChannels = audioChannels
        self.segmentTemplate = segmentTemplate
    }
}

public struct SegmentTemplate: Equatable, Sendable {
    public var timescale: Int
    public var presentationTimeOffset: Int64
    public var initialization: String
    public var media: String
    public var startNumber: Int
    public var timeline: SegmentTimeline

    public init(timescale: Int, presentationTimeOffset: Int64 = 0, initialization: String, media: String,
                startNumber: Int = 1, timeline: SegmentTimeline) {
        self.timescale = timescale
        self.presentationTimeOffset = presentationTimeOffset
        self.initialization = initialization
        self.media = media
        self.startNumber = startNumber
        self.timeline = timeline
    }
}
