// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dashcdn",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dashcdn", targets: ["dashcdn"]),
        .library(name: "Segmenter", targets: ["Segmenter"]),
        .library(name: "MPD", targets: ["MPD"]),
        .library(name: "Player", targets: ["Player"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // The only place C is imported: module map + shim over the FFmpeg libraries.
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavformat",
            providers: [.apt(["libavformat-dev", "libavcodec-dev", "libavutil-dev",
                              "libswscale-dev", "libswresample-dev", "libavfilter-dev"])]
        ),
        // Swift types that own every FFmpeg object and throw av_strerror's text.
        .target(name: "FFmpeg", dependencies: ["CFFmpeg"]),
        // Manifest model and writer: pure Swift.
        .target(name: "MPD"),
        .target(name: "Segmenter", dependencies: ["FFmpeg", "MPD"]),
        // ABR rules, playout buffer, QoE and the trace-driven simulator: pure Swift.
        .target(name: "Player", dependencies: ["MPD"]),
        .executableTarget(
            name: "dashcdn",
            dependencies: [
                "Segmenter", "MPD", "Player",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What every test target shares: where things are, and running `dashcdn`.
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(name: "MPDTests", dependencies: ["MPD", "TestSupport"]),
        .testTarget(name: "PlayerTests", dependencies: ["Player", "MPD", "TestSupport", "dashcdn"]),
        .testTarget(name: "SegmenterTests", dependencies: ["Segmenter", "MPD", "FFmpeg", "TestSupport", "dashcdn"]),
    ]
)
