@testable import ABR
import XCTest

final class AbandonmentRuleTests: XCTestCase {
    /// 4 s segments at 300 ... 4300 kbit/s: a top segment is 2.15 MB.
    private let video = try! Fixtures.ladder()

    private func lower(bytes: Int, elapsed: Double, buffer: Double, level: Int = 5) -> Int? {
        let total = Int(video.size(segment: 3, level: level))
        return AbandonmentRule.lowerLevel(bytes: bytes, total: total, elapsed: elapsed, buffer: buffer,
                                          level: level, segment: 3, video: video)
    }

    func testGivesUpForTheHighestLevelThatArrivesBeforeTheBufferRunsDry() {
        // 100 kB in 1 s: the rest of 2.15 MB needs 20 s, the buffer holds 8. At 100 kB/s a
        // 1200 kbit/s segment (600 kB) takes 6 s, 1850 (925 kB) 9.25 s.
        XCTAssertEqual(lower(bytes: 100_000, elapsed: 1, buffer: 8), 2)
    }

    func testFallsToTheLowestWhenNothingArrivesInTime() {
        XCTAssertEqual(lower(bytes: 10_000, elapsed: 1, buffer: 3), 0)
    }

    func testLetsDownloadsFinishThatWouldBeInInTime() {
        XCTAssertNil(lower(bytes: 1_000_000, elapsed: 1, buffer: 8))
    }

    func testJudgesNothingInTheFirstHalfSecondNorANearlyFinishedDownload() {
        XCTAssertNil(lower(bytes: 10_000, elapsed: 0.4, buffer: 3))
        XCTAssertNil(lower(bytes: 1_800_000, elapsed: 10, buffer: 0.5))
        XCTAssertNil(lower(bytes: 1_000, elapsed: 1, buffer: 1, level: 0))
    }

    func testKeepsTheDownloadWhenRestartingLowerWouldTakeLonger() {
        // 1.5 MB in, 650 kB left at 150 kB/s (4.3 s) past a 2 s buffer: the lowest level
        // (150 kB, 1 s) is quicker, so it goes.
        XCTAssertEqual(lower(bytes: 1_500_000, elapsed: 10, buffer: 2), 0)
        // At 750 kbit/s (375 kB), 85 kB left at 100 kB/s: the lowest would take 1.5 s.
        XCTAssertNil(lower(bytes: 290_000, elapsed: 2.9, buffer: 0.5, level: 1))
    }
}
