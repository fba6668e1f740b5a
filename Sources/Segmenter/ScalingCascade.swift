/// Which picture each rung is scaled from. Downscaling a 1080p picture to 240p with a bicubic
/// filter reads ~18 source pixels per output pixel in each direction; scaling it from a smaller
/// rung's picture costs a fraction of that, and the pictures differ from the direct result far
/// below what x264 changes. Measured on the sample with ffmpeg's filters and x264 veryfast (encoded
/// PSNR against the source scaled directly, as bench-encode measures it):
/// - 360p from 720p and 240p from 480p (2×): 61 dB from the direct pictures, encoded PSNR within 0.01 dB;
/// - 480p from 720p (1.5×, 720p from the source): 56 dB, encoded 39.347 against 39.349 dB, while
///   scaling 480p from 720p takes 0.42 s per 300 frames against 1.1 s from 1080p;
/// - 240p from 480p from 720p: 39.184 against 39.197 dB;
/// - but 240p from 360p from 720p, two sub-2× steps apart: 39.108 dB, 0.09 dB lost.
/// So a step under 2× is taken only from a picture scaled directly from the source.
public enum ScalingCascade {
    /// An intermediate at least this many times the rung's width and height always qualifies.
    public static let minimumFactor = 2.0
    /// One scaled directly from the source qualifies from this factor on.
    public static let minimumFactorFromSource = 1.5

    /// For each rung, the index of the rung whose scaled picture it is made from, or nil to scale
    /// from the source. A rung at the source's own size is the source picture passed through, so
    /// it is never an intermediate: its children take the source directly.
    public static func parents(of rungs: [Rung], sourceWidth: Int, sourceHeight: Int) -> [Int?] {
        var parents = [Int?](repeating: nil, count: rungs.count)
        // Largest first, so that a candidate's own parent is known when it is weighed.
        let bySize = rungs.indices.sorted { area(rungs[$0]) > area(rungs[$1]) }
        for index in bySize {
            let rung = rungs[index]
            let candidates = rungs.indices.filter { other in
                let picture = rungs[other]
                guard !(picture.width == sourceWidth && picture.height == sourceHeight) else { return false }
                // Dimensions are rounded to even numbers (1280/854 is 1.4988): allow 1 % for that.
                let factor = min(Double(picture.width) / Double(rung.width), Double(picture.height) / Double(rung.height)) * 1.01
                return factor >= minimumFactor || (factor >= minimumFactorFromSource && parents[other] == nil)
            }
            // The smallest qualifying picture is the cheapest to read; ties go to the first.
            parents[index] = candidates.min { area(rungs[$0]) < area(rungs[$1]) }
        }
        return parents
    }

    private static func area(_ rung: Rung) -> Int { rung.width * rung.height }
}
