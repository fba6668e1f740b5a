import Foundation

/// Paths the tests need: the repository, ../shared beside it, and the built `dashcdn`.
public enum Paths {
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()
    /// `../shared` beside the clone, as CI lays it out, or wherever DASHCDN_SHARED says.
    public static let shared = ProcessInfo.processInfo.environment["DASHCDN_SHARED"].map { URL(fileURLWithPath: $0) }
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared")
    public static let schema = shared.appendingPathComponent("schema")
    /// The test bundle sits beside the products of the same build.
    public static let dashcdn: URL = {
        let candidates = [Bundle(for: BundleMarker.self).bundleURL, Bundle.main.bundleURL,
                          Bundle.main.executableURL?.deletingLastPathComponent()].compactMap { $0 }
        let folders = candidates.map { $0.pathExtension == "xctest" ? $0.deletingLastPathComponent() : $0 }
        let binaries = folders.map { $0.appendingPathComponent("dashcdn") }
        return binaries.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? binaries[0]
    }()

    public static func temporaryFolder(_ name: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("dashcdn-tests-\(ProcessInfo.processInfo.processIdentifier)")
            .appendingPathComponent(name)
        try? FileManager.default.removeItem(at: url)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

final class BundleMarker {}

/// A finished child process.
public struct Run: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs a program to completion (killed after `timeout` seconds) and collects its output.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:],
         timeout: TimeInterval = 300) throws -> Run {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable.hasPrefix("/") ? executable : "/usr/bin/env")
    process.arguments = executable.hasPrefix("/") ? arguments : [executable] + arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Read both pipes while the process runs so a chatty child never blocks on a full pipe.
    let collected = Collected()
    let group = DispatchGroup()
    group.enter()
    DispatchQueue.global().async { collected.set(out: out.fileHandleForReading.readDataToEndOfFile()); group.leave() }
    group.enter()
    DispatchQueue.global().async { collected.set(err: err.fileHandleForReading.readDataToEndOfFile()); group.leave() }
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    group.wait()
    return Run(status: process.terminationStatus, stdout: String(decoding: collected.out, as: UTF8.self),
               stderr: String(decoding: collected.err, as: UTF8.self))
}

/// The two pipes' contents, filled from two reader threads.
private final class Collected: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var out = Data()
    private(set) var err = Data()
    func set(out data: Data) { lock.withLock { out = data } }
    func set(err data: Data) { lock.withLock { err = data } }
}

/// SplitMix64: a seeded generator, so a randomised test's failure can be replayed.
public struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

public func dashcdn(_ arguments: [String], timeout: TimeInterval = 300) throws -> Run {
    try runProcess(Paths.dashcdn.path, arguments, timeout: timeout)
}

/// The committed topology's geography on the test's own ports: three edges (New York, Chicago,
/// San Francisco) and three zones (Boston, St. Louis, Seattle). `edgeFields` adds YAML fields to
/// an edge's entry by name (its cache folder, an emulated link).
public enum TestTopology {
    public static let edgeNames = ["edge-nyc", "edge-chi", "edge-sfo"]

    public static func yaml(edgePorts: [Int], originPort: Int = 0, root: String = ".", decisionLog: String = "off",
                            extra: String = "", redirectorHTTPPort: Int = 0,
                            edgeHosts: [String] = Array(repeating: "127.0.0.1", count: 3),
                            edgeFields: (String) -> String = { _ in "" }, limits: String = "{access_log: off}",
                            redirectorDNS: String = "127.0.0.1:0", ttl: Int = 20, dnssecKeys: String? = nil,
                            cookies: String? = nil) -> String {
        let places = [(40.71, -74.01), (41.88, -87.63), (37.77, -122.42)]
        let edges = zip(zip(edgeNames, edgeHosts), zip(edgePorts, places)).map { nameAndHost, portAndPlace in
            let (name, host) = nameAndHost
            return "  - {name: \(name), listen: \(host):\(portAndPlace.0), location: {lat: \(portAndPlace.1.0), lon: \(portAndPlace.1.1)}\(edgeFields(name))}"
        }.joined(separator: "\n")
        return """
        domain: cdn.example.test
        routing_name: video
        ttl: \(ttl)
        aliases:
          www.netcinema.test: video.cdn.example.test
        origin: {listen: 127.0.0.1:\(originPort), root: \(root)}
        redirector:
          dns: \(redirectorDNS)
          http: 127.0.0.1:\(redirectorHTTPPort)
          decision_log: \(decisionLog)
          rate_limit: {responses_per_second: 0}\(dnssecKeys.map { "\n  dnssec_keys: \($0)" } ?? "")\(cookies.map { "\n  cookies: \($0)" } ?? "")
        \(extra)
        edges:
        \(edges)
        coverage:
          - {name: boston, networks: [127.0.10.0/24], location: {lat: 42.36, lon: -71.06}}
          - {name: st-louis, networks: [127.0.20.0/24], location: {lat: 38.63, lon: -90.20}}
          - {name: seattle, networks: [127.0.30.0/24], location: {lat: 47.61, lon: -122.33}}
        default_location: {lat: 39.10, lon: -94.58}
        limits: \(limits)
        """
    }

    /// Each zone, an address inside it, and the edge nearest to it.
    public static let zones: [(zone: String, client: String, nearest: String)] = [
        ("boston", "127.0.10.5", "edge-nyc"), ("st-louis", "127.0.20.5", "edge-chi"), ("seattle", "127.0.30.5", "edge-sfo"),
    ]
}
