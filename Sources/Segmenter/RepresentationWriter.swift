import ContentLayout
import FFmpeg
import Foundation

/// One finished media segment of a representation, times in the track's timescale.
public struct EncodedSegment: Equatable, Sendable {
    public let number: Int
    /// Earliest presentation time after the init segment's edit list (the source's time; 0 for
    /// the first segment, whose priming samples the edit list cuts).
    public let start: Int64
    public var duration: Int64
    public let bytes: Int
    /// Bytes from the start to the end of the first sample (for a video segment, its IDR).
    public let firstSampleEnd: Int?
}

/// Writes one representation's CMAF files: the init segment and `1.m4s`, `2.m4s` … Packets arrive in
/// decode order; the caller says which packet opens a segment (the forced IDR, or the audio frame
/// at the boundary) and the writer closes the previous fragment there.
final class RepresentationWriter {
    let folder: URL
    private let muxer: FragmentedMP4Muxer
    private let encoderTimeBase: Rational
    private(set) var segments: [EncodedSegment] = []
    private var open: (start: Int64, end: Int64)?

    private let initName: String

    init(folder: URL, encoder: Encoder, audio: Bool) throws {
        self.folder = folder
        initName = ContentLayout.initSegment(audio: audio)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        muxer = try FragmentedMP4Muxer(encoder: encoder)
        encoderTimeBase = encoder.timeBase
    }

    var timescale: Int { Int(muxer.timeBase.den / max(1, muxer.timeBase.num)) }

    private func mediaTime(_ t: Int64) -> Int64 {
        Rational.rescale(t, from: encoderTimeBase, to: muxer.timeBase)
    }

    func write(_ packet: Packet, startsSegment: Bool) throws {
        // The edit list presents the source's time 0 at 0; what comes before (priming) is cut.
        let pts = max(0, mediaTime(packet.pts))
        let end = max(0, mediaTime(packet.pts + packet.duration))
        if startsSegment, open != nil { try closeSegment() }
        if let current = open {
            open = (min(current.start, pts), max(current.end, end))
        } else {
            open = (pts, end)
        }
        try muxer.write(packet)
    }

    /// Closes the last segment and checks the whole track is contiguous.
    func finish() throws {
        if open != nil { try closeSegment() }
        try muxer.finish()
    }

    private func closeSegment() throws {
        guard let current = open else { return }
        let (initSegment, fragment) = try muxer.flushFragment()
        if let initSegment {
            try Data(initSegment).write(to: folder.appendingPathComponent(initName))
        }
        let number = segments.count + 1
        try Data(fragment).write(to: folder.appendingPathComponent(ContentLayout.segment(number)))
        // A segment lasts until the next one starts; the last until its last sample ends.
        if let previous = segments.indices.last {
            segments[previous].duration = current.start - segments[previous].start
        }
        segments.append(EncodedSegment(number: number, start: current.start, duration: current.end - current.start,
                                      bytes: fragment.count, firstSampleEnd: FragmentLayout.firstSampleEnd(fragment)))
        open = nil
    }
}
