import Addressing
import ArgumentParser
import Demo
import Foundation

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "The whole chain: sample, ladder, origin, edges, redirector and three players at once.",
        discussion: """
        Makes the sample movie and its ladder when missing (both are reused when present), starts the origin, every edge and the redirector of the configuration, then plays the ladder from one client per coverage zone at once, each from its own loopback address and each finding its edge another way (DNS SRV, HTTP 302, content steering). Half-way through, the edge serving the second client is stopped; its clients fail over and keep playing. Ends with a table per client and the path of each client's plot. Ctrl-C stops everything.

        Examples:
          dashcdn demo
          dashcdn demo --title short --duration 20 --size 640x360 \\
            --ladder 320x180@300k,640x360@1000k --segment-duration 2
        """)

    @Option(help: "The CDN configuration (YAML); its origin root holds Media/ and Manifests/.")
    var config = "CDNConfig/cdn.yaml"

    @Option(help: "The title to play (Media/<title>.mp4 is the sample movie).")
    var title = "sample"

    @Option(help: "Length of the sample movie when it has to be made, in seconds.")
    var duration = 60.0

    @Option(help: ArgumentHelp("Size of the sample movie when it has to be made.", valueName: "size"),
            transform: PictureSize.init(parsing:))
    var size = PictureSize.fullHD

    @Option(help: "The ladder when it has to be encoded: 'default' or WIDTHxHEIGHT@KBPS,…")
    var ladder = "default"

    @Option(help: "Segment duration when the ladder has to be encoded, in seconds.")
    var segmentDuration = 4.0

    @Option(help: "Seconds of video each player buffers at most.")
    var maxBuffer = 12.0

    @Option(help: ArgumentHelp("The DNS client resolves \(DemoSettings.providerHost) through this recursive resolver (scripts/dns-lab up) instead of asking the redirector.",
                               valueName: "server"), transform: DNSServerAddress.init(parsing:))
    var resolver: DNSServerAddress?

    func run() async throws {
        var settings = DemoSettings()
        settings.config = config
        settings.title = title
        settings.sampleSeconds = duration
        (settings.sampleWidth, settings.sampleHeight) = (size.width, size.height)
        settings.ladder = ladder
        settings.segmentDuration = segmentDuration
        settings.maxBuffer = maxBuffer
        settings.resolver = resolver.map { ListenAddress(host: $0.host, port: $0.port) }
        let runner = DemoRunner(settings: settings, say: say, note: note)
        cleanUpAndExitOnInterrupt("demo: interrupted; everything stopped") { runner.stopAll() }
        let results = try await runner.run()
        say("")
        say(DemoTable.render(results))
    }
}
