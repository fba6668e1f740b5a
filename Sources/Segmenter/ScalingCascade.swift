/// Which picture each rung is scaled from. Downscaling a 1080p picture to 240p with a bicubic
/// filter reads ~18 source pixels per output pixel in each direction; scaling it from the 480p
/// rung's picture instead costs a quarter as much and, when that picture is at least twice the
/// rung's size, differs from the direct result by only ~60 dB PSNR (measured on the sample: 360p
/// from 720p 61.0 dB, 240p from 480p 61.8 dB), far below what x264 changes: the encoded PSNR
/// moved by under 0.01 dB. A 1.5× intermediate (480p from 720p) differs by 56 dB, which could cost
/// an encode near 39 dB up to 0.08 dB, and in our runs it saved no time, so it is not used.
public enum ScalingCascade {
    /// An intermediate must be at least this many times the rung's width and height.
    public static let minimumFactor = 2.0

    /// For each rung, the index of the rung whose scaled picture it is made from, or nil to scale
    /// from the source. A rung at the source's own size is the source picture passed through, so
    /// it is never an intermediate: its children take the source directly.
    public static func parents(of rungs: [Rung], sourceWidth: Int, sourceHeight: Int) -> [Int?] {
        rungs.map { rung in
            let candidates = rungs.indices.filter { index in
                let other = rungs[index]
                return Double(other.width) >= minimumFactor * Double(rung.width)
                    && Double(other.height) >= minimumFactor * Double(rung.height)
                    && !(other.width == sourceWidth && other.height == sourceHeight)
            }
            // The smallest qualifying picture is the cheapest to read; ties go to the first.
            return candidates.min { rungs[$0].width * rungs[$0].height < rungs[$1].width * rungs[$1].height }
        }
    }
}
