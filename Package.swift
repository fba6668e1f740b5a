// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dashcdn",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "dashcdn", targets: ["dashcdn"]),
        .library(name: "Segmenter", targets: ["Segmenter"]),
        .library(name: "MPD", targets: ["MPD"]),
        .library(name: "ABR", targets: ["ABR"]),
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
        .package(url: "https://github.com/apple/swift-crypto", from: "3.0.0"),
    ],
    targets: [
        // C is imported in two places: FFmpeg's libraries (module map + shim), and the batched
        // datagram calls glibc hides from Swift (recvmmsg/sendmmsg, for the DNS server's UDP workers).
        .target(name: "CDatagram"),
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
        // Where a title's files live on disk and in URLs, and what kind each file is: pure Swift.
        .target(name: "ContentLayout", dependencies: ["HTTPCore"]),
        .target(name: "Segmenter", dependencies: ["FFmpeg", "MPD", "ContentLayout"]),
        // IP addresses, CIDR blocks, host:port: pure Swift, the bottom of the network side.
        .target(name: "Addressing"),
        // Common Media Client Data (CTA-5004): written by the player, read by the servers. Pure Swift.
        .target(name: "CMCD", dependencies: ["HTTPCore"]),
        // HTTP vocabulary both servers share: statuses, methods, the read-only method and CORS rules.
        .target(name: "HTTPCore"),
        // Bandwidth traces (Mahimahi, Pensieve, FCC formats) and a cursor over them: pure Swift,
        // shared by the simulator and the edges' emulated links.
        .target(name: "Traces"),
        // What every server shares: the connection registry, the /healthz report, the log writer,
        // socket errors in words, the monotonic clock.
        .target(
            name: "ServerSupport",
            dependencies: [
                "Addressing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // ABR rules, playout buffer, QoE and the trace-driven simulator: pure Swift, no sockets.
        .target(name: "ABR", dependencies: ["MPD", "Traces", "ContentLayout"]),
        // The live player: plays an MPD through the CDN over AsyncHTTPClient with an ABR rule.
        .target(
            name: "Player",
            dependencies: [
                "ABR", "MPD", "DNSWire", "Addressing", "ServerSupport", "CMCD",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        // CDNConfig: origin, edges, coverage zones, emulated links; YAML in, validated model out.
        .target(name: "Topology", dependencies: ["Addressing", "ServerSupport", .product(name: "Yams", package: "Yams")]),
        // The HTTP tier: origin and edge servers on SwiftNIO, origin pull, cache, shaping, metrics.
        .target(
            name: "Edge",
            dependencies: [
                "Topology", "Traces", "MPD", "ContentLayout", "HTTPCore", "CMCD", "ServerSupport", "Addressing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // DNS messages on the wire (RFC 1035, 6891, 7871): names, parsing, writing. Pure Swift,
        // shared by the redirector's server and the player's lookups.
        .target(name: "DNSWire", dependencies: ["Addressing"]),
        // DNSSEC (RFC 4033-4035, 6605, 9824): zone keys, signatures, compact denial. Pure Swift over swift-crypto.
        .target(name: "DNSSEC", dependencies: ["DNSWire", .product(name: "Crypto", package: "swift-crypto")]),
        // Authoritative DNS, HTTP 302 and content steering over health-checked edges.
        .target(
            name: "Redirector",
            dependencies: [
                "CDatagram",
                "Topology", "DNSWire", "DNSSEC", "HTTPCore", "ServerSupport", "Addressing",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // A whole CDN configuration started in one process: `cdn up`, the demo and the tests.
        .target(name: "CDN", dependencies: ["Edge", "Redirector", "Topology", "ServerSupport", "Addressing",
                                            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                                            .product(name: "Logging", package: "swift-log")]),
        // `dashcdn demo`: the whole chain, from the sample movie to three players, in one process.
        .target(name: "Demo", dependencies: ["Segmenter", "ABR", "Player", "Addressing", "ContentLayout", "Topology", "CDN", "ServerSupport"]),
        .executableTarget(
            name: "dashcdn",
            dependencies: [
                "Segmenter", "MPD", "Traces", "ABR", "Player", "Addressing", "Topology", "Edge", "Redirector", "DNSSEC", "DNSWire", "CDN", "Demo",
                "ServerSupport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What every test target shares: where things are, and running `dashcdn`.
        .target(name: "TestSupport", path: "Tests/Support"),
        .testTarget(name: "MPDTests", dependencies: ["MPD", "TestSupport"]),
        .testTarget(name: "PlayerTests", dependencies: ["ABR", "Traces", "Player", "MPD", "TestSupport", "dashcdn"]),
        .testTarget(name: "TopologyTests", dependencies: ["Topology", "Addressing", "TestSupport"]),
        .testTarget(
            name: "EdgeTests",
            dependencies: [
                "Edge", "Topology", "Addressing", "ContentLayout", "HTTPCore", "CMCD", "TestSupport", "dashcdn",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "RedirectorTests",
            dependencies: ["Redirector", "DNSWire", "DNSSEC", "Edge", "Topology", "Addressing", "HTTPCore", "ServerSupport", "TestSupport", "MPD", "dashcdn"]
        ),
        .testTarget(
            name: "PlaybackTests",
            dependencies: [
                "ABR", "Player", "MPD", "Edge", "Redirector", "DNSSEC", "CDN", "ContentLayout", "Topology", "Addressing", "Segmenter",
                "TestSupport", "dashcdn",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Hostile clients and failing disks against `dashcdn cdn up` in a child process.
        .testTarget(name: "HardeningTests", dependencies: ["TestSupport", "dashcdn"]),
        .testTarget(name: "SegmenterTests", dependencies: ["Segmenter", "MPD", "FFmpeg", "TestSupport", "dashcdn"]),
    ]
)
