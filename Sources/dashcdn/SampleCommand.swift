import ArgumentParser
import Foundation
import Segmenter

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Make the built-in test movie (libavfilter sources, H.264 + AAC).",
        discussion: """
        Scenes of different complexity (test pattern, Mandelbrot zoom, cellular noise, still bars) every 6 seconds and a stereo tone. The same arguments always give the same frames.

        Example:
          dashcdn sample -o Media/sample.mp4 --duration 60 --size 1920x1080 --fps 30
        """)

    @Option(name: .shortAndLong, help: "Output file.")
    var output = "Media/sample.mp4"

    @Option(help: "Length in seconds.")
    var duration: Double = 60

    @Option(help: ArgumentHelp("Picture size, WIDTHxHEIGHT.", valueName: "size"), transform: PictureSize.init(parsing:))
    var size = PictureSize.fullHD

    @Option(help: "Frames per second.")
    var fps = 30

    func run() throws {
        let movie = SampleMovie(output: output, duration: duration, width: size.width, height: size.height, fps: fps)
        let reporter = ProgressReporter(totalFrames: Int(duration * Double(fps)), frameRate: Double(fps))
        try movie.make { done, total in
            reporter.update([.init(name: "sample", done: done)], force: done == total)
        }
        print("sample: wrote \(output) (\(size), \(fps) fps, \(duration) s)")
    }
}
