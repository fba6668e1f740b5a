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
        .library(name: "Topology", targets: ["Topology"]),
        .library(name: "Edge", targets: ["Edge"]),
        .library(name: "Redirector", targets: ["Redirector"]),
        .library(name: "DNSWire", targets: ["DNSWire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.25.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
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
        // ABR rules, playout buffer, QoE and the trace-driven simulator (pure Swift), and the live
        // session that plays an MPD through the CDN over AsyncHTTPClient.
        .target(
            name: "Player",
            dependencies: [
                "MPD", "DNSWire", "Topology",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // CDNConfig: origin, edges, coverage zones, emulated links; YAML in, validated model out.
        .target(name: "Topology", dependencies: [.product(name: "Yams", package: "Yams")]),
        // The HTTP tier: origin and edge servers on SwiftNIO, origin pull, cache, shaping, metrics.
        .target(
            name: "Edge",
            dependencies: [
                "Topology", "Player", "MPD",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // DNS messages on the wire (RFC 1035, 6891, 7871): names, parsing, writing. Pure Swift,
        // shared by the redirector's server and the player's lookups.
        .target(name: "DNSWire", dependencies: ["Topology"]),
        // Authoritative DNS, HTTP 302 and content steering over health-checked edges.
        .target(
            name: "Redirector",
            dependencies: [
                "Topology", "Edge", "DNSWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // `dashcdn demo`: the whole chain, from the sample movie to three players, in one process.
        .target(name: "Demo", dependencies: ["Segmenter", "Player", "Topology", "Edge", "Redirector"]),
        .executableTarget(
            name: "dashcdn",
            dependencies: [
                "Segmenter", "MPD", "Player", "Topology", "Edge", "Redirector", "Demo",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // What every test target shares: where things are, and running `dashcdn`.
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(name: "MPDTests", dependencies: ["MPD", "TestSupport"]),
        .testTarget(name: "PlayerTests", dependencies: ["Player", "MPD", "TestSupport", "dashcdn"]),
        .testTarget(name: "TopologyTests", dependencies: ["Topology", "TestSupport"]),
        .testTarget(
            name: "EdgeTests",
            dependencies: [
                "Edge", "Topology", "TestSupport", "dashcdn",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RedirectorTests",
            dependencies: ["Redirector", "DNSWire", "Edge", "Topology", "TestSupport", "MPD", "dashcdn"]
        ),
        .testTarget(
            name: "PlaybackTests",
            dependencies: ["Player", "MPD", "Edge", "Redirector", "Topology", "Segmenter", "TestSupport", "dashcdn"]
        ),
        // Hostile clients and failing disks against `dashcdn cdn up` in a child process.
        .testTarget(name: "HardeningTests", dependencies: ["TestSupport", "dashcdn"]),
        .testTarget(name: "SegmenterTests", dependencies: ["Segmenter", "MPD", "FFmpeg", "TestSupport", "dashcdn"]),
    ]
)
