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
