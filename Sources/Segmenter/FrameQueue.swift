import FFmpeg
import Foundation

/// A bounded hand-off of decoded frames from the decoding thread to one rung's encoding thread.
/// Bounded so that a slow rung holds back decoding instead of piling up raw frames in memory.
final class FrameQueue: @unchecked Sendable {
    enum Item {
        /// `pts` counts frames from the start (the encoders' time base is one frame).
        case frame(Frame, pts: Int64, startsSegment: Bool)
        case end
    }

    private let condition = NSCondition()
    private var items: [Item] = []
    private let capacity: Int
    private var cancelled = false

    init(capacity: Int) { self.capacity = capacity }

    /// Blocks while full; returns false if the consumer gave up.
    @discardableResult
    func put(_ item: Item) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !cancelled { condition.wait() }
        if cancelled { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    func take() -> Item {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !cancelled { condition.wait() }
        if cancelled { return .end }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Wakes both sides for good: after an error nobody waits on a queue that will never move.
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }
}
