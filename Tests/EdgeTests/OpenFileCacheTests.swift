@testable import Edge
import Foundation
import TestSupport
import XCTest

/// Which files the open-file cache holds in memory, and that its budget and `forget` hold.
final class OpenFileCacheTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = try Paths.temporaryFolder("openfiles")
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: folder)
    }

    private func write(_ name: String, bytes: Int, fill: UInt8 = 1) throws -> String {
        let url = folder.appendingPathComponent(name)
        try Data(repeating: fill, count: bytes).write(to: url)
        return url.path
    }

    private var realRoot: String { OpenFile.realRoot(folder.path)! }

    func testALargeFileIsReadIntoMemoryOnItsSecondUse() throws {
        let path = try write("big.m4s", bytes: 1 << 20)
        let cache = OpenFileCache(memoryBudget: 4 << 20)
        XCTAssertNil(try cache.open(path: path, realRoot: realRoot).contents, "asked for once: sendfile")
        let hot = try XCTUnwrap(try cache.open(path: path, realRoot: realRoot).contents)
        XCTAssertEqual(Data(hot.readableBytesView), Data(repeating: 1, count: 1 << 20))
        XCTAssertEqual(try cache.open(path: path, realRoot: realRoot).contents, hot, "later uses share the copy")
    }

    func testSmallFilesAreReadAtOnceUnlessThereIsNoBudget() throws {
        let path = try write("t.mpd", bytes: 3000)
        XCTAssertEqual(try OpenFileCache(memoryBudget: 1 << 20).open(path: path, realRoot: realRoot).contents?.readableBytes, 3000)
        let none = OpenFileCache(memoryBudget: 0)
        for _ in 0..<3 { XCTAssertNil(try none.open(path: path, realRoot: realRoot).contents) }
    }

    func testTheBudgetBoundsWhatIsHeld() throws {
        let first = try write("1.m4s", bytes: 1 << 20), second = try write("2.m4s", bytes: 1 << 20)
        let cache = OpenFileCache(memoryBudget: 3 << 19)  // room for one and a half
        for _ in 0..<2 { _ = try cache.open(path: first, realRoot: realRoot) }
        for _ in 0..<2 { _ = try cache.open(path: second, realRoot: realRoot) }
        // The older copy made way; the file itself is opened afresh and read again on its next use.
        XCTAssertNotNil(try cache.open(path: second, realRoot: realRoot).contents)
        XCTAssertNil(try cache.open(path: first, realRoot: realRoot).contents)
        let tooBig = try write("3.m4s", bytes: 2 << 20)
        for _ in 0..<3 { XCTAssertNil(try cache.open(path: tooBig, realRoot: realRoot).contents, "larger than the budget") }
    }

    func testForgetSeesAReplacedFileAtOnce() throws {
        let path = try write("seg.m4s", bytes: 1 << 20, fill: 1)
        let cache = OpenFileCache(memoryBudget: 4 << 20)
        for _ in 0..<2 { _ = try cache.open(path: path, realRoot: realRoot) }
        let replacement = try write("seg.tmp", bytes: 1 << 19, fill: 2)
        XCTAssertEqual(rename(replacement, path), 0)
        XCTAssertEqual(try cache.open(path: path, realRoot: realRoot).size, 1 << 20, "within the validity period")
        cache.forget(path)
        let fresh = try cache.open(path: path, realRoot: realRoot)
        XCTAssertEqual(fresh.size, 1 << 19)
        XCTAssertEqual(try cache.open(path: path, realRoot: realRoot).contents?.getBytes(at: 0, length: 1), [2])
    }

    func testEntriesExpireAfterTheirValidity() throws {
        let path = try write("old.m4s", bytes: 1 << 20, fill: 1)
        let cache = OpenFileCache(validity: .milliseconds(50), memoryBudget: 4 << 20)
        for _ in 0..<2 { _ = try cache.open(path: path, realRoot: realRoot) }
        let replacement = try write("new.tmp", bytes: 1 << 18, fill: 3)
        XCTAssertEqual(rename(replacement, path), 0)
        Thread.sleep(forTimeInterval: 0.1)
        XCTAssertEqual(try cache.open(path: path, realRoot: realRoot).size, 1 << 18)
    }
}
