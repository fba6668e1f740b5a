import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `dashcdn` server running as a child process, so a test can attack it and read what the
/// attack cost it (resident memory, CPU time, descriptors) from /proc, apart from the test's own.
public final class ServerProcess {
    public let process = Process()
    public let log: URL

    /// Starts `dashcdn arguments…` and waits until every one of `ports` accepts connections.
    public init(_ arguments: [String], waitingFor ports: [Int], log: URL) throws {
        self.log = log
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        process.executableURL = Paths.dashcdn
        process.arguments = arguments
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        for port in ports {
            while !Self.accepts(port: port) {
                guard process.isRunning, Date() < deadline else {
                    stop()
                    throw TestFailure("dashcdn \(arguments.joined(separator: " ")) did not listen on \(port): \(logText)")
                }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }
    }

    public var pid: Int32 { process.processIdentifier }
    public var logText: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }

    /// Resident memory now, in bytes.
    public var residentBytes: Int { Self.residentBytes(of: pid) }

    public static func residentBytes(of pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }

    /// User plus system CPU time so far, in seconds.
    public var cpuSeconds: Double {
        let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let fields = stat.split(separator: ")").last?.split(separator: " ") ?? []
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// Descriptors the process holds open.
    public var openDescriptors: Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    /// SIGTERM, then SIGKILL if it has not exited within 5 s (a server frozen by a test's attack).
    public func stop() {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    static func accepts(port: Int) -> Bool { (try? RawConnection(port: port)) != nil }
}

/// A test's own failure, worded for XCTest.
public struct TestFailure: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// A TCP client socket on loopback for clients no polite library would be: from a chosen
/// source address, with a tiny receive buffer, writing without reading, dripping bytes.
public final class RawConnection: Sendable {
    public let fd: Int32

    public init(port: Int, host: String = "127.0.0.1", from source: String? = nil, receiveBuffer: Int? = nil,
                timeout: Double = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let receiveBuffer {
            var size = Int32(receiveBuffer)
            setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        }
        if let source {
            var local = Self.address(source, port: 0)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard bound == 0 else { close(fd); throw TestFailure("cannot bind \(source)") }
        }
        var remote = Self.address(host, port: port)
        let result = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else { close(fd); throw TestFailure("cannot connect to \(host):\(port)") }
        var wait = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - timeout.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
    }

    deinit { close(fd) }

    /// An IPv4 socket address, for the raw clients and servers tests write.
    public static func address(_ host: String, port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, host, &address.sin_addr)
        return address
    }

    /// Sends all of `bytes` (or as much as the peer takes before the send timeout); returns the count sent.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Int {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { break }
            sent += n
        }
        return sent
    }

    @discardableResult
    public func send(_ text: String) -> Int { send(Array(text.utf8)) }

    /// Sends `unit` again and again without reading, until `count` are sent, the peer stops
    /// taking bytes for `stall` seconds, or `seconds` pass. Returns how many whole units went.
    public func flood(_ unit: [UInt8], count: Int, stall: Double = 1, seconds: Double = 20) -> Int {
        var wait = timeval(tv_sec: Int(stall), tv_usec: Int((stall - stall.rounded(.down)) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let batch = 256
        let block = Array((0..<batch).map { _ in unit }.joined())
        let deadline = Date().addingTimeInterval(seconds)
        var sentBytes = 0
        while sentBytes / unit.count < count, Date() < deadline {
            let n = send(block)
            sentBytes += n
            if n < block.count { break }
        }
        return sentBytes / unit.count
    }

    /// Reads until the peer closes, `limit` bytes, the receive timeout, or `enough` says so.
    public func receive(limit: Int = 1 << 24, until enough: ([UInt8]) -> Bool = { _ in false }) -> [UInt8] {
        var data = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while data.count < limit, !enough(data) {
            let n = recv(fd, &chunk, min(chunk.count, limit - data.count), 0)
            if n <= 0 { break }
            data += chunk[0..<n]
        }
        return data
    }

    /// What `receive` reads, as text.
    public func receiveText(limit: Int = 1 << 22) -> String {
        String(decoding: receive(limit: limit), as: UTF8.self)
    }

    /// Whether the peer has closed the connection: a read returns end of stream (or a reset)
    /// within `seconds`. Data that arrives first is skipped.
    public func closedByPeer(within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var chunk = [UInt8](repeating: 0, count: 65536)
        while Date() < deadline {
            var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let left = Int32(max(1, deadline.timeIntervalSinceNow * 1000))
            guard poll(&poller, 1, left) > 0 else { return false }
            let n = recv(fd, &chunk, chunk.count, Int32(MSG_DONTWAIT))
            if n == 0 || (n < 0 && errno != EAGAIN) { return true }
        }
        return false
    }
}

/// A port nothing listens on right now, for a server a test starts. Picked below the kernel's
/// ephemeral range (ip_local_port_range): a port the kernel chose for `bind(0)` is also one it may
/// hand to any outgoing connection (an edge's fetch from its origin) before the server binds it,
/// and the server then fails with "address already in use". Each port is handed out once per
/// test process, starting at an offset drawn from the process id so that runs at the same time
/// start far apart (each port is still checked free before it is handed out).
public func unusedPort() throws -> Int { try PortAllocator.shared.next() }

final class PortAllocator: @unchecked Sendable {
    static let shared = PortAllocator()
    private let lock = NSLock()
    private let range: Range<Int>
    private var cursor: Int

    private init() {
        let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let ephemeralStart = text.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32768
        let upper = max(2048, ephemeralStart)
        range = max(1024, upper - 12_000)..<upper
        cursor = Int(getpid()) * 97 % range.count
    }

    func next() throws -> Int {
        try lock.withLock {
            for _ in 0..<range.count {
                let port = range.lowerBound + cursor
                cursor = (cursor + 1) % range.count
                if Self.free(port) { return port }
            }
            throw TestFailure("no free port in \(range)")
        }
    }

    /// Whether a TCP and a UDP socket can both bind the port on 127.0.0.1 (DNS servers take both).
    private static func free(_ port: Int) -> Bool {
        [SOCK_STREAM, SOCK_DGRAM].allSatisfy { type in
            let fd = socket(AF_INET, Int32(type.rawValue), 0)
            defer { close(fd) }
            var one: Int32 = 1  // as servers do, so a connection in TIME_WAIT does not rule a port out
            if type == SOCK_STREAM { setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size)) }
            var address = RawConnection.address("127.0.0.1", port: port)
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
            }
        }
    }
}

/// A value another thread delivers once.
public final class Outcome<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private let ready = DispatchSemaphore(value: 0)
    private var value: Value?

    public init() {}

    public func set(_ value: Value?) {
        lock.withLock { self.value = value }
        ready.signal()
    }

    /// The value, or nil if none came within `seconds`.
    public func wait(seconds: Double) -> Value? {
        guard ready.wait(timeout: .now() + seconds) == .success else { return nil }
        return lock.withLock { value }
    }
}

/// `python3 -m http.server` over a folder on a free loopback port: a static web server that
/// knows nothing of dashcdn's URL layout. Stopped when released.
public final class StaticServer {
    public let port: Int
    private let process = Process()

    public init(folder: URL) throws {
        port = try unusedPort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-m", "http.server", "\(port)", "--bind", "127.0.0.1", "--directory", folder.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(10)
        while (try? RawConnection(port: port)) == nil {
            guard Date() < deadline else { throw TestFailure("python3 -m http.server did not start") }
            Thread.sleep(forTimeInterval: 0.1)
        }
    }

    public func url(_ path: String) -> String { "http://127.0.0.1:\(port)/\(path)" }

    deinit {
        process.terminate()
        process.waitUntilExit()
    }
}
