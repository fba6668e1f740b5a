import Foundation
import TestSupport
import XCTest

/// Clients that pipeline and never read: every listener stops reading instead of queueing
/// answers without bound, and a pipeline of ordinary size is answered in full, in order.
final class BackpressureTests: XCTestCase {
    func testAPipelinerThatNeverReadsCostsNoListenerMoreThan64MB() throws {
        let cdn = try HostileCDN(name: "pipeliner")
        defer { cdn.stop() }
        // The edge holds the object, so its requests are hits answered at once.
        XCTAssertEqual(try curl("http://127.0.0.1:\(cdn.edgePort)/media/t/v/init.mp4").status, 200)
        let http = { (path: String) in Array("GET \(path) HTTP/1.1\r\nHost: t\r\n\r\n".utf8) }
        let attacks: [(name: String, port: Int, unit: [UInt8])] = [
            ("origin", cdn.originPort, http("/manifests/t.mpd")),
            ("edge", cdn.edgePort, http("/media/t/v/init.mp4")),
            ("redirector HTTP", cdn.httpPort, http("/media/t/v/init.mp4")),
            ("DNS over TCP", cdn.dnsPort, DNSQueryBytes.tcp(name: "video.cdn.example.test", type: 1)),
        ]
        for attack in attacks {
            let client = try RawConnection(port: attack.port, receiveBuffer: 4096)
            var sent = 0
            let growth = peakGrowth(of: cdn.server) {
                sent = client.flood(attack.unit, count: 400_000, stall: 2, seconds: 30)
            }
            print("growth \(attack.name) \(growth >> 20) MB after \(sent) requests never read")
            XCTAssertLessThan(growth, 64 << 20, "\(attack.name): grew \(growth >> 20) MB after \(sent) requests never read")
            // The listener still serves everyone else.
            let other = try RawConnection(port: attack.port)
            other.send(attack.unit)
            XCTAssertFalse(other.receive(limit: 10).isEmpty, "\(attack.name) answers another client")
        }
    }

    func testAThousandPipelinedBrowserRequestsAreAllAnsweredInOrder() throws {
        let cdn = try HostileCDN(name: "pipeline")
        defer { cdn.stop() }
        let headers = "Host: 127.0.0.1\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
            + "Chrome/120.0.0.0 Safari/537.36\r\nAccept: */*\r\nAccept-Language: en-US,en;q=0.9\r\n"
            + "Accept-Encoding: gzip, deflate, br\r\nOrigin: http://player.example.test\r\nReferer: http://player.example.test/\r\n\r\n"
        // A 9 MB object first, which keeps the server busy while the client has not started
        // reading and the rest of the pipeline piles up behind it; then two small objects of
        // different sizes in turn, so the lengths that come back show the order. The last
        // request closes the connection, so the client reads until the server is done.
        let targets = ["/media/t/v/big.m4s"] + (1..<1000).map { $0 % 2 == 0 ? "/media/t/v/init.mp4" : "/manifests/t.mpd" }
        let pipeline = targets.enumerated().map { index, target in
            "GET \(target) HTTP/1.1\r\n" + (index == targets.count - 1 ? "Connection: close\r\n" : "") + headers
        }.joined()
        XCTAssertGreaterThan(pipeline.utf8.count, 131_000, "more than the issue's 131 KB in one write")
        let client = try RawConnection(port: cdn.originPort, timeout: 10)
        let writer = Thread { client.send(pipeline) }
        writer.start()
        Thread.sleep(forTimeInterval: 0.5)
        let manifestSize = try cdn.file("Manifests/t.mpd").count
        let expected = targets.map { $0.hasSuffix(".mpd") ? manifestSize : $0.hasSuffix("big.m4s") ? 9_000_000 : 1000 }
        let answers = responseLengths(in: client.receive(limit: 1 << 26), count: targets.count)
        XCTAssertEqual(answers.count, 1000, "every request answered")
        XCTAssertEqual(answers, expected, "in the order asked")
    }

    /// The largest rise in the server's resident memory while `body` runs and until the server
    /// has worked through whatever it accepted (its CPU goes quiet; 30 s at most).
    private func peakGrowth(of server: ServerProcess, during body: () -> Void) -> Int {
        let before = server.residentBytes
        let peak = PeakSampler(pid: server.pid)
        body()
        let deadline = Date().addingTimeInterval(30)
        var cpu = server.cpuSeconds
        repeat {
            Thread.sleep(forTimeInterval: 0.5)
            let now = server.cpuSeconds
            defer { cpu = now }
            if now - cpu < 0.05 { break }
        } while Date() < deadline
        return peak.stop() - before
    }

    /// The Content-Length of each 200 response in a byte stream of pipelined responses.
    private func responseLengths(in bytes: [UInt8], count: Int) -> [Int] {
        var lengths: [Int] = []
        var position = 0
        let separator: [UInt8] = Array("\r\n\r\n".utf8)
        while lengths.count < count, position < bytes.count {
            guard let end = bytes[position...].firstRange(of: separator)?.upperBound else { break }
            let head = String(decoding: bytes[position..<end], as: UTF8.self)
            guard head.hasPrefix("HTTP/1.1 200"),
                  let line = head.split(separator: "\r\n").first(where: { $0.lowercased().hasPrefix("content-length:") }),
                  let length = Int(line.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) else { break }
            lengths.append(length)
            position = end + length
        }
        return lengths
    }
}

/// Samples a server's resident memory every 50 ms on a thread of its own until stopped.
final class PeakSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private let done = DispatchSemaphore(value: 0)

    init(pid: Int32) {
        Thread { [self] in
            while lock.withLock({ running }) {
                let now = ServerProcess.residentBytes(of: pid)
                lock.withLock { peak = max(peak, now) }
                Thread.sleep(forTimeInterval: 0.05)
            }
            done.signal()
        }.start()
    }

    func stop() -> Int {
        lock.withLock { running = false }
        done.wait()
        return lock.withLock { peak }
    }
}

/// DNS queries as bytes on the wire, for clients that misuse them.
enum DNSQueryBytes {
    static func message(name: String, type: UInt16, id: UInt16 = 0x1234, opcode: UInt8 = 0) -> [UInt8] {
        var bytes: [UInt8] = [UInt8(id >> 8), UInt8(id & 0xFF), opcode << 3, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for label in name.split(separator: ".") {
            bytes.append(UInt8(label.utf8.count))
            bytes += Array(label.utf8)
        }
        bytes += [0, UInt8(type >> 8), UInt8(type & 0xFF), 0, 1]
        return bytes
    }

    /// With the two-byte length prefix of DNS over TCP.
    static func tcp(name: String, type: UInt16) -> [UInt8] {
        let body = message(name: name, type: type)
        return [UInt8(body.count >> 8), UInt8(body.count & 0xFF)] + body
    }
}
