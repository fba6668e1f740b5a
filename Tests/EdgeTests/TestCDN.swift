import Addressing
import Edge
import Foundation
import TestSupport
import Topology
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// An origin (and edges on demand) running in this process on loopback, serving a throwaway
/// root with a manifest and random "segments".
final class TestCDN {
    let root: URL
    let origin: CDNNode
    private(set) var edges: [CDNNode] = []

    init(name: String, segments: Int = 3, segmentBytes: Int = 1 << 20, limits: ServerLimits = TestCDN.quietLimits) throws {
        root = try Paths.temporaryFolder(name)
        let media = root.appendingPathComponent("Media/t/v")
        try FileManager.default.createDirectory(at: media, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Manifests"), withIntermediateDirectories: true)
        try Data("<?xml version=\"1.0\"?><MPD/>\n".utf8).write(to: root.appendingPathComponent("Manifests/t.mpd"))
        try Data(repeating: 7, count: 1000).write(to: media.appendingPathComponent("init.mp4"))
        var generator = SystemRandomNumberGenerator()
        for index in 1...segments {
            let bytes = (0..<segmentBytes / 8).map { _ in generator.next() as UInt64 }
            try bytes.withUnsafeBytes { Data($0) }.write(to: media.appendingPathComponent("\(index).m4s"))
        }
        origin = try CDNNode.origin(root: root.path, listen: ListenAddress(host: "127.0.0.1", port: 0), limits: limits)
    }

    static var quietLimits: ServerLimits {
        var limits = ServerLimits()
        limits.accessLog = .off
        return limits
    }

    var originURL: String { "http://127.0.0.1:\(origin.port)" }

    func file(_ path: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(path)) }

    /// Starts an edge whose parent is the origin; `extra` adds YAML to the edge's entry, `zones` a coverage list.
    @discardableResult
    func startEdge(host: String = "127.0.1.1", extra: String = "", zones: String = "",
                   limits: String = "{access_log: off}") throws -> CDNNode {
        let name = "edge\(edges.count)"
        let yaml = """
        domain: cdn.test
        origin: {listen: 127.0.0.1:\(origin.port), root: \(root.path)}
        edges:
          - {name: \(name), listen: "\(host):0", location: {lat: 1, lon: 1}, cache_dir: \(root.path)/cache-\(name)\(extra)}
        \(zones)
        limits: \(limits)
        """
        let config = try CDNConfig.parse(yaml: yaml, file: root.appendingPathComponent("cdn.yaml").path)
        let edge = try CDNNode.edge(named: name, config: config)
        edges.append(edge)
        return edge
    }

    func stop() {
        edges.forEach { $0.stop() }
        origin.stop()
    }
}
