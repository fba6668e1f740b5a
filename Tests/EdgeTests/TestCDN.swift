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
        limits.accessLog = "off"
        return limits
    }

    var originURL: String { "http://127.0.0.1:\(origin.port)" }

    func file(_ path: String) throws -> Data { try Data(contentsOf: root.appendingPathComponent(path)) }

    /// Starts an edge whose parent is the origin; `extra` adds YAML to the edge's entry, `zones` a coverage list.
    @discardableResult
    func startEdge(host: String = "127.0.1.1", extra: String = "", zones: String = "") throws -> CDNNode {
        let name = "edge\(edges.count)"
        let yaml = """
        domain: cdn.test
        origin: {listen: 127.0.0.1:\(origin.port), root: \(root.path)}
        edges:
          - {name: \(name), listen: "\(host):0", location: {lat: 1, lon: 1}, cache_dir: \(root.path)/cache-\(name)\(extra)}
        \(zones)
        limits: {access_log: off}
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

/// A parsed curl response: status, headers (lower-case names), body.
struct CurlResponse {
    let status: Int
    let headers: [String: String]
    let body: Data
    let seconds: Double
}

/// Runs curl against a URL; `arguments` go before it.
func curl(_ url: String, _ arguments: [String] = []) throws -> CurlResponse {
    let folder = try Paths.temporaryFolder("curl")
    let headerFile = folder.appendingPathComponent("h").path, bodyFile = folder.appendingPathComponent("b").path
    let run = try runProcess("/usr/bin/curl", ["-s", "--max-time", "30", "-D", headerFile, "-o", bodyFile,
                                               "-w", "%{time_total}"] + arguments + [url])
    let headText = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
    // With redirects or 100-continue there can be several heads; the last one counts.
    let lastHead = headText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
    let lines = lastHead.components(separatedBy: "\r\n")
    let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return CurlResponse(status: status, headers: headers,
                        body: FileManager.default.contents(atPath: bodyFile) ?? Data(), seconds: Double(run.stdout) ?? 0)
}

/// A raw TCP client, for requests no well-behaved client would send.
final class RawClient {
    let fd: CInt

    init(port: Int, host: String = "127.0.0.1") throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw EdgeError("connect failed") }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    func send(_ text: String) {
        _ = Array(text.utf8).withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }

    /// Reads until the server closes or `limit` bytes or the 5 s receive timeout.
    func receive(limit: Int = 1 << 22) -> String {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while data.count < limit {
            let n = recv(fd, &chunk, chunk.count, 0)
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        return String(decoding: data, as: UTF8.self)
    }
}
