/// Cached objects in least-recently-used order with their sizes: a dictionary into a doubly
/// linked list held in arrays, so touch, insert and evict are O(1).
public struct LRUIndex: Sendable {
    public struct Entry: Sendable {
        public var size: Int64
        /// Seconds (monotonic) after which the parent must be asked again.
        public var freshUntil: Double

        public init(size: Int64, freshUntil: Double) {
            self.size = size
            self.freshUntil = freshUntil
        }
    }

    private var slots: [(key: String, entry: Entry, newer: Int, older: Int)] = []
    private var free: [Int] = []
    private var index: [String: Int] = [:]
    /// Most and least recently used slots; -1 when empty.
    private var newest = -1, oldest = -1
    public private(set) var totalBytes: Int64 = 0

    public init() {}

    public var count: Int { index.count }

    /// The entry, marked as just used.
    public mutating func touch(_ key: String) -> Entry? {
        guard let slot = index[key] else { return nil }
        unlink(slot)
        pushNewest(slot)
        return slots[slot].entry
    }

    public func peek(_ key: String) -> Entry? { index[key].map { slots[$0].entry } }

    public mutating func insert(_ key: String, _ entry: Entry) {
        if let slot = index[key] {
            totalBytes += entry.size - slots[slot].entry.size
            slots[slot].entry = entry
            unlink(slot)
            pushNewest(slot)
            return
        }
        let slot: Int
        if let reused = free.popLast() {
            slot = reused
            slots[slot] = (key, entry, -1, -1)
        } else {
            slot = slots.count
            slots.append((key, entry, -1, -1))
        }
        index[key] = slot
        totalBytes += entry.size
        pushNewest(slot)
    }

    @discardableResult
    public mutating func remove(_ key: String) -> Entry? {
        guard let slot = index.removeValue(forKey: key) else { return nil }
        unlink(slot)
        free.append(slot)
        totalBytes -= slots[slot].entry.size
        return slots[slot].entry
    }

    /// Removes least recently used entries until the total fits `limit`, sparing `keep`; returns
    /// the keys removed, oldest first.
    public mutating func evict(toFit limit: Int64, keep: String? = nil) -> [String] {
        var removed: [String] = []
        var cursor = oldest
        while totalBytes > limit, cursor != -1 {
            let key = slots[cursor].key
            let next = slots[cursor].newer
            if key != keep {
                remove(key)
                removed.append(key)
            }
            cursor = next
        }
        return removed
    }

    private mutating func unlink(_ slot: Int) {
        let (newer, older) = (slots[slot].newer, slots[slot].older)
        if newer != -1 { slots[newer].older = older } else { newest = older }
        if older != -1 { slots[older].newer = newer } else { oldest = newer }
        slots[slot].newer = -1
        slots[slot].older = -1
    }

    private mutating func pushNewest(_ slot: Int) {
        slots[slot].older = newest
        slots[slot].newer = -1
        if newest != -1 { slots[newest].newer = slot }
        newest = slot
        if oldest == -1 { oldest = slot }
    }
}
