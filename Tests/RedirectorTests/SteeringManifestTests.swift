import DNSWire
import Edge
import Foundation
import MPD
import TestSupport
import Topology
import XCTest

/// The content steering MPD variant: built from a manifest, served by the origin that knows the
/// CDN, valid against the official schema apart from the element that schema predates.
final class SteeringManifestTests: XCTestCase {
    static let manifest = """
        <?xml version="1.0" encoding="UTF-8"?>
        <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011" type="static" mediaPresentationDuration="PT8S" minBufferTime="PT4S">
          <Period id="0" start="PT0S">
            <AdaptationSet id="0" contentType="video" mimeType="video/mp4">
              <SegmentTemplate timescale="1000" duration="4000" initialization="../media/t/$RepresentationID$/init.mp4" media="../media/t/$RepresentationID$/$Number$.m4s" startNumber="1"/>
              <Representation id="v" bandwidth="100000" codecs="avc1.64001e" width="640" height="360"/>
            </AdaptationSet>
          </Period>
        </MPD>

        """

    func testVariantCarriesOneBaseURLPerEdgeAndTheSteeringServer() throws {
        let pathways = [ContentSteeringVariant.Pathway(serviceLocation: "edge-a", baseURL: "http://127.0.0.1:1/manifests/"),
                        ContentSteeringVariant.Pathway(serviceLocation: "edge-b", baseURL: "http://127.0.0.1:2/manifests/")]
        let variant = try XCTUnwrap(ContentSteeringVariant.make(from: Self.manifest, pathways: pathways,
                                                                 steeringURL: "http://127.0.0.1:8053/steering/t"))
        XCTAssertTrue(variant.contains("""
              <BaseURL serviceLocation="edge-a">http://127.0.0.1:1/manifests/</BaseURL>
              <BaseURL serviceLocation="edge-b">http://127.0.0.1:2/manifests/</BaseURL>
              <ContentSteering defaultServiceLocation="edge-a" queryBeforeStart="true">http://127.0.0.1:8053/steering/t</ContentSteering>
              <Period id="0"
            """), variant)
        XCTAssertNil(ContentSteeringVariant.make(from: "<MPD/>", pathways: pathways, steeringURL: "x"), "nothing to insert before")
        XCTAssertNil(ContentSteeringVariant.make(from: variant, pathways: pathways, steeringURL: "x"), "already steered")
    }

    func testHLSVariantListsEveryStreamOncePerEdgeWithItsPathway() throws {
        let pathways = [ContentSteeringVariant.Pathway(serviceLocation: "edge-a", baseURL: "http://127.0.0.1:1/Manifests/"),
                        ContentSteeringVariant.Pathway(serviceLocation: "edge-b", baseURL: "http://127.0.0.1:2/Manifests/")]
        let playlist = """
        #EXTM3U
        #EXT-X-VERSION:7
        #EXT-X-INDEPENDENT-SEGMENTS
        #EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",LANGUAGE="und",NAME="und",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="../Media/t/audio/playlist.m3u8"
        #EXT-X-STREAM-INF:BANDWIDTH=500000,CODECS="avc1.64001e,mp4a.40.2",RESOLUTION=640x360,AUDIO="audio"
        ../Media/t/360p/playlist.m3u8
        #EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,CODECS="avc1.64001e",RESOLUTION=640x360,URI="../Media/t/360p/iframes.m3u8"

        """
        let variant = try XCTUnwrap(ContentSteeringVariant.hls(from: playlist, pathways: pathways, steeringURL: "http://127.0.0.1:8053/steering/t"))
        let lines = variant.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines[3], "#EXT-X-CONTENT-STEERING:SERVER-URI=\"http://127.0.0.1:8053/steering/t\",PATHWAY-ID=\"edge-a\"")
        for (port, id) in [(1, "edge-a"), (2, "edge-b")] {
            XCTAssertTrue(lines.contains("#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=\"audio-\(id)\",LANGUAGE=\"und\",NAME=\"und\",DEFAULT=YES,AUTOSELECT=YES,"
                                         + "CHANNELS=\"2\",URI=\"http://127.0.0.1:\(port)/Media/t/audio/playlist.m3u8\""), variant)
            let stream = try XCTUnwrap(lines.firstIndex { $0.hasPrefix("#EXT-X-STREAM-INF:") && $0.hasSuffix("PATHWAY-ID=\"\(id)\"") }, variant)
            XCTAssertTrue(lines[stream].contains("AUDIO=\"audio-\(id)\""))
            XCTAssertEqual(lines[stream + 1], "http://127.0.0.1:\(port)/Media/t/360p/playlist.m3u8")
            XCTAssertTrue(lines.contains { $0.hasPrefix("#EXT-X-I-FRAME-STREAM-INF:") && $0.contains("URI=\"http://127.0.0.1:\(port)/Media/t/360p/iframes.m3u8\"")
                && $0.hasSuffix("PATHWAY-ID=\"\(id)\"") }, variant)
        }
        XCTAssertNil(ContentSteeringVariant.hls(from: variant, pathways: pathways, steeringURL: "x"), "already steered")
        XCTAssertNil(ContentSteeringVariant.hls(from: "#EXTM3U\n#EXTINF:4,\n1.m4s\n", pathways: pathways, steeringURL: "x"), "a media playlist")
    }

    func testOriginServesTheVariantAndItValidates() throws {
        let root = try Paths.temporaryFolder("steering-origin")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Manifests"), withIntermediateDirectories: true)
        try Data(Self.manifest.utf8).write(to: root.appendingPathComponent("Manifests/t.mpd"))
        let yaml = TestTopology.yaml(edgePorts: [8181, 8182, 8183], root: root.path)
        let config = try CDNConfig.parse(yaml: yaml, file: root.appendingPathComponent("cdn.yaml").path)
        let origin = try CDNNode.origin(config: config)
        defer { origin.stop() }
        let url = "http://127.0.0.1:\(origin.port)/manifests/t.steering.mpd"
        let served = try runProcess("curl", ["-sf", "--max-time", "5", url])
        XCTAssertEqual(served.status, 0)
        XCTAssertEqual(served.stdout.components(separatedBy: "<BaseURL serviceLocation=").count - 1, 3)
        XCTAssertTrue(served.stdout.contains("<BaseURL serviceLocation=\"edge-sfo\">http://127.0.0.1:8183/Manifests/</BaseURL>"))
        XCTAssertTrue(served.stdout.contains(">http://127.0.0.1:0/steering/t</ContentSteering>"), "points at the redirector")
        // The shared schema is the 2011 edition plus amendments, from before ContentSteering; all the rest must validate.
        let withoutSteering = root.appendingPathComponent("checked.mpd")
        try Data(served.stdout.split(separator: "\n").filter { !$0.contains("<ContentSteering") }.joined(separator: "\n").utf8)
            .write(to: withoutSteering)
        let check = try runProcess("xmllint", ["--nonet", "--noout", "--schema", Paths.schema.appendingPathComponent("DASH-MPD.xsd").path,
                                               withoutSteering.path],
                                   environment: ["XML_CATALOG_FILES": Paths.schema.appendingPathComponent("catalog.xml").path])
        XCTAssertEqual(check.status, 0, check.stderr)
        let missing = try runProcess("curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                                              "http://127.0.0.1:\(origin.port)/manifests/none.steering.mpd"])
        XCTAssertEqual(missing.stdout, "404")
    }

    func testRedirectorCommandReportsAPortInUse() throws {
        let root = try Paths.temporaryFolder("redirector-cli")
        let holder = try RedirectorFixture(name: "redirector-cli-holder")
        defer { holder.stop() }
        let file = root.appendingPathComponent("cdn.yaml")
        try Data(TestTopology.yaml(edgePorts: holder.ports).utf8).write(to: file)
        let run = try dashcdn(["redirector", "--config", file.path, "--dns-port", "\(holder.redirector.dnsPort)"], timeout: 20)
        XCTAssertNotEqual(run.status, 0)
        XCTAssertEqual(run.stderr.split(separator: "\n").count, 1, run.stderr)
        XCTAssertTrue(run.stderr.contains("cannot listen"), run.stderr)
    }
}
