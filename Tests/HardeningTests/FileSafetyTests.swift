import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// What an operator's files can do to the origin: a FIFO where a segment should be, a segment
/// cut short while it is sent. And a request smuggled behind a second Content-Length.
final class FileSafetyTests: XCTestCase {
    func testAFIFORequestFreezesNothingAndIsRefused() throws {
        let cdn = try HostileCDN(name: "fifo")
        defer { cdn.stop() }
        XCTAssertEqual(mkfifo(cdn.root.appendingPathComponent("Media/t/v/fifo.m4s").path, 0o644), 0)
        let base = "http://127.0.0.1:\(cdn.originPort)"
        let fifo = Outcome<CurlResponse>()
        Thread { fifo.set(try? curl(base + "/media/t/v/fifo.m4s", maxTime: 5)) }.start()
        Thread.sleep(forTimeInterval: 0.2)
        // Whatever the FIFO request does, everyone else is answered at once, on every event loop.
        for _ in 0..<6 {
            let health = try curl(base + "/healthz", maxTime: 1)
            XCTAssertEqual(health.status, 200, "healthz answered within 1 s while a FIFO is asked for")
            XCTAssertEqual(try curl(base + "/manifests/t.mpd", maxTime: 1).status, 200)
        }
        let answer = fifo.wait(seconds: 6)
        XCTAssertEqual(answer?.status, 404, "anything but a regular file is not served")
        XCTAssertLessThan(answer?.seconds ?? 99, 1)
    }

    func testAFileCutShortWhileSentIsClosedWithoutSpinning() throws {
        let cdn = try HostileCDN(name: "shrink")
        defer { cdn.stop() }
        let path = cdn.root.appendingPathComponent("Media/t/v/long.m4s")
        try HostileCDN.randomBytes(48 << 20, seed: 4).write(to: path)
        // A reader slow enough to keep the response in flight, reading all along.
        let client = try RawConnection(port: cdn.originPort, receiveBuffer: 16384, timeout: 1)
        client.send("GET /media/t/v/long.m4s HTTP/1.1\r\nHost: t\r\n\r\n")
        let reader = SlowReader(client, bytesPerSecond: 2 << 20)
        Thread.sleep(forTimeInterval: 0.5)
        XCTAssertGreaterThan(reader.received, 0)
        // An operator copies a shorter file over it, in place.
        XCTAssertEqual(truncate(path.path, 1 << 20), 0)
        let cpuBefore = cdn.server.cpuSeconds
        let start = Date()
        Thread.sleep(forTimeInterval: 3)
        let share = (cdn.server.cpuSeconds - cpuBefore) / Date().timeIntervalSince(start)
        XCTAssertLessThan(share, 0.4, "the server used \(Int(share * 100))% of a core with a cut-short file in flight")
        XCTAssertTrue(reader.closed.wait(seconds: 5) ?? false, "the connection is closed: what was promised cannot be sent")
        // And it goes on serving.
        XCTAssertEqual(try curl("http://127.0.0.1:\(cdn.originPort)/media/t/v/1.m4s").status, 200)
    }

    func testDifferingContentLengthsAreRefusedNotParsedAsASecondRequest() throws {
        let cdn = try HostileCDN(name: "smuggle")
        defer { cdn.stop() }
        let smuggled = "GET /manifests/t.mpd HTTP/1.1\r\nHost: t\r\n\r\n"
        XCTAssertEqual(smuggled.utf8.count, 42)
        for port in [cdn.originPort, cdn.edgePort] {
            let client = try RawConnection(port: port)
            client.send("GET /media/t/v/init.mp4 HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 42\r\n\r\n" + smuggled)
            let answer = String(decoding: client.receive(), as: UTF8.self)
            XCTAssertTrue(answer.hasPrefix("HTTP/1.1 400 "), answer)
            XCTAssertEqual(answer.components(separatedBy: "HTTP/1.1 ").count - 1, 1, "one answer, then the connection closes: \(answer)")
        }
        // Equal repeated lengths are one length (RFC 9110 §8.6): a bodiless GET is served.
        let client = try RawConnection(port: cdn.originPort)
        client.send("GET /manifests/t.mpd HTTP/1.1\r\nHost: t\r\nContent-Length: 0\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        XCTAssertTrue(String(decoding: client.receive(), as: UTF8.self).hasPrefix("HTTP/1.1 200 "))
    }
}

/// Reads a connection at a set pace on a thread of its own until the peer closes it.
final class SlowReader: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    let closed = Outcome<Bool>()

    init(_ connection: RawConnection, bytesPerSecond: Int) {
        Thread { [self] in
            var chunk = [UInt8](repeating: 0, count: bytesPerSecond / 20)
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline {
                let n = recv(connection.fd, &chunk, chunk.count, 0)
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { return closed.set(true) }
                if n > 0 { lock.withLock { count += n } }
                Thread.sleep(forTimeInterval: 0.05)
            }
            closed.set(false)
        }.start()
    }

    var received: Int { lock.withLock { count } }
}
