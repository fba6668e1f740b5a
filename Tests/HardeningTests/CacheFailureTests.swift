import Foundation
import TestSupport
import XCTest
#if canImport(Glibc)
import Glibc
#endif

/// An edge whose cache disk fails: the folder removed from under it, or full. Clients still
/// get every byte; /healthz says the cache is degraded; no body shows a path.
final class CacheFailureTests: XCTestCase {
    func testARemovedCacheFolderStillServesCorrectBytesAndReportsDegraded() throws {
        let cdn = try HostileCDN(name: "vanished")
        defer { cdn.stop() }
        let edge = "http://127.0.0.1:\(cdn.edgePort)"
        let segment = try cdn.file("Media/t/v/1.m4s")
        XCTAssertEqual(try curl(edge + "/media/t/v/1.m4s").body, segment)
        XCTAssertEqual(try health(edge)["cache_objects"] as? Int, 1)
        try FileManager.default.removeItem(at: cdn.cacheFolder)
        for path in ["/media/t/v/1.m4s", "/media/t/v/init.mp4", "/media/t/v/1.m4s"] {
            let answer = try curl(edge + path)
            XCTAssertEqual(answer.status, 200, "\(path): \(String(decoding: answer.body.prefix(200), as: UTF8.self))")
            XCTAssertEqual(answer.body, try cdn.file("Media/t/v/" + (path as NSString).lastPathComponent), path)
            XCTAssertFalse(String(decoding: answer.body, as: UTF8.self).contains(cdn.root.path), "no path in a body")
        }
        let report = try health(edge)
        XCTAssertEqual(report["cache"] as? String, "degraded", "\(report)")
        XCTAssertEqual(report["cache_objects"] as? Int, 2, "only the objects fetched again are counted: \(report)")
        XCTAssertTrue(FileManager.default.fileExists(atPath: cdn.cacheFolder.path), "the folder is made again")
    }

    func testAFullCacheDiskNeverTruncatesAResponse() throws {
        let mountPoint = try Paths.temporaryFolder("tmpfs-cache")
        guard Self.mountTmpfs(at: mountPoint.path, size: "5m") else {
            throw XCTSkip("cannot mount a 5 MiB tmpfs here (not root, or no mount namespace): full-disk case not run")
        }
        defer { _ = Self.run("/bin/umount", ["-l", mountPoint.path]) }
        let cdn = try HostileCDN(name: "full-disk", cacheFolder: mountPoint.appendingPathComponent("cache"))
        defer { cdn.stop() }
        let edge = "http://127.0.0.1:\(cdn.edgePort)"
        let big = try cdn.file("Media/t/v/big.m4s")
        for round in 1...3 {
            let answer = try curl(edge + "/media/t/v/big.m4s", maxTime: 20)
            XCTAssertEqual(answer.status, 200)
            XCTAssertEqual(answer.body.count, big.count, "round \(round): every byte of a 9 MB object through a 5 MiB cache disk")
            XCTAssertTrue(answer.body == big, "round \(round): the right bytes")
        }
        // Smaller objects still fit and are cached.
        XCTAssertEqual(try curl(edge + "/media/t/v/1.m4s").body, try cdn.file("Media/t/v/1.m4s"))
        let report = try health(edge)
        XCTAssertEqual(report["cache"] as? String, "degraded", "\(report)")
        XCTAssertGreaterThanOrEqual(report["cache_write_failures"] as? Int ?? 0, 3, "\(report)")
    }

    private func health(_ base: String) throws -> [String: Any] {
        let answer = try curl(base + "/healthz")
        return try XCTUnwrap(JSONSerialization.jsonObject(with: answer.body) as? [String: Any])
    }

    static func mountTmpfs(at path: String, size: String) -> Bool {
        run("/bin/mount", ["-t", "tmpfs", "-o", "size=\(size)", "tmpfs", path])
    }

    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) -> Bool {
        (try? runProcess(tool, arguments, timeout: 10).status) == 0
    }
}
