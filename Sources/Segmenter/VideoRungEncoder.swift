import FFmpeg
import Foundation

/// Scales, encodes and segments one video rung on its own thread, fed by a FrameQueue with the
/// source's pictures. Every rung scales from the source itself: scaling from a larger rung's
/// picture costs a fraction of the filter work, but on noisy pictures it comes out softer than a
/// direct bicubic scale (240p–480p within 33–45 dB of it on the sample's noise scene), which cost
/// 0.4–0.65 dB of PSNR against the directly scaled source.
final class VideoRungEncoder: @unchecked Sendable {
    let rung: Rung
    let id: String
    let queue = FrameQueue(capacity: 6)
    let writer: RepresentationWriter
    let encoder: Encoder
    private let scaler: Scaler
    /// pts of the frames we forced to IDR, oldest first: their packets open segments.
    private var forcedPts: [Int64] = []
    private let packet = Packet()
    private let lock = NSLock()
    private var framesDone = 0
    private var failure: Error?
    /// With --psnr: our own output decoded again, and the scaled inputs still waiting for it.
    private let checker: Decoder?
    private var awaitingComparison: [Int64: Frame] = [:]
    private let decoded = Frame()
    private(set) var quality = PSNRAccumulator()

    init(rung: Rung, id: String, folder: URL, settings: VideoEncoderSettings, measurePSNR: Bool) throws {
        self.rung = rung
        self.id = id
        encoder = try Encoder(video: settings)
        scaler = Scaler(width: settings.width, height: settings.height)
        writer = try RepresentationWriter(folder: folder, encoder: encoder, audio: false)
        checker = measurePSNR ? try Decoder(decoding: encoder) : nil
    }

    var progress: Int { lock.withLock { framesDone } }
    var error: Error? { lock.withLock { failure } }

    /// Queues a reference to `frame` for this rung, waiting while its queue is full; throws
    /// this rung's failure if it has stopped.
    func feed(_ frame: Frame, pts: Int64, startsSegment: Bool) throws {
        guard queue.put(.frame(try frame.reference(), pts: pts, startsSegment: startsSegment)) else {
            throw error ?? SegmenterError("\(id) stopped")
        }
    }

    /// The thread body: runs until the queue ends or something fails.
    func run() {
        do {
            while case let .frame(frame, pts, startsSegment) = queue.take() {
                try encode(frame, pts: pts, startsSegment: startsSegment)
            }
            try encoder.send(nil)
            try drain()
            try checker?.send(nil)
            try compareDecoded()
            try writer.finish()
        } catch {
            lock.withLock { failure = error }
            queue.cancel()
        }
    }

    private func encode(_ frame: Frame, pts: Int64, startsSegment: Bool) throws {
        let scaled = try scaler.scale(frame)
        scaled.pts = pts
        // A passed-through decoded frame still carries the source's picture type: clear it, or
        // the encoder would copy the source's keyframes.
        scaled.clearFrameType()
        if startsSegment {
            scaled.forceKeyframe()
            forcedPts.append(pts)
        }
        if checker != nil { awaitingComparison[pts] = scaled }
        try encoder.send(scaled)
        try drain()
        lock.withLock { framesDone += 1 }
    }

    private func drain() throws {
        while try encoder.receive(into: packet) {
            packet.duration = 1
            let startsSegment = packet.pts == forcedPts.first
            if startsSegment {
                guard packet.isKeyframe else {
                    throw SegmenterError("\(id): encoder did not make frame \(packet.pts) a keyframe")
                }
                forcedPts.removeFirst()
            }
            if let checker {
                try checker.send(packet)
                try compareDecoded()
            }
            try writer.write(packet, startsSegment: startsSegment)
        }
    }

    /// Compares every picture the checker decodes with the scaled input it came from.
    private func compareDecoded() throws {
        guard let checker else { return }
        while try checker.receive(into: decoded) {
            guard let original = awaitingComparison.removeValue(forKey: decoded.pts) else { continue }
            quality.add(errors: decoded.squaredErrors(against: original), width: Int(encoder.width), height: Int(encoder.height))
        }
    }
}

/// Sums per-plane squared errors into one PSNR over the whole rung (Y, U and V
/// weighted by their sample counts, as ffmpeg's psnr filter's "average" figure does).
struct PSNRAccumulator {
    private var squaredError = 0.0
    private var samples = 0.0

    mutating func add(errors: [UInt64], width: Int, height: Int) {
        let luma = Double(width * height)
        squaredError += errors.prefix(3).reduce(0) { $0 + Double($1) }
        samples += luma * 1.5
    }

    var psnr: Double? {
        guard samples > 0 else { return nil }
        guard squaredError > 0 else { return 99 }
        return 10 * log10(255 * 255 * samples / squaredError)
    }
}
