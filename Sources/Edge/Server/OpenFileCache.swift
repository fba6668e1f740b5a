import NIOConcurrencyHelpers
import NIOCore

/// Recently opened files by path, reused for up to a second (nginx's open_file_cache idea): a
/// hot manifest or segment then costs no open, fstat or path check per request. A file replaced
/// on disk is seen within the validity period; a cache that removes or replaces an object calls
/// `forget` so it is seen at once.
///
/// Hot files are also held in memory, within a byte budget (Varnish's malloc storage idea): a
/// file asked for again while its entry is valid is read once, and its later requests are written
/// from memory instead of with sendfile. On loopback that costs the server about a fifth less CPU
/// per megabyte (sendfile's splice through a pipe, page by page, is the dearer path) and the
/// client less too. A file asked for once is never read: it goes out with sendfile.
public final class OpenFileCache: Sendable {
    private struct Entry {
        var file: OpenFile
        let openedAt: NIODeadline
        var uses = 1
    }

    private struct State {
        var entries: [String: Entry] = [:]
        /// Entries by opening time, oldest first: the order they expire in, and are dropped in
        /// when the memory budget or the entry count runs out.
        var order = CircularBuffer<(path: String, openedAt: NIODeadline)>()
        var memoryBytes: Int64 = 0

        mutating func insert(_ path: String, _ entry: Entry) {
            remove(path)
            entries[path] = entry
            order.append((path, entry.openedAt))
            memoryBytes += entry.file.memoryBytes
        }

        mutating func remove(_ path: String) {
            guard let old = entries.removeValue(forKey: path) else { return }
            memoryBytes -= old.file.memoryBytes
        }

        /// Drops entries from the oldest on while `stop` says so; the order queue may hold
        /// paths since re-opened, which only their newest record removes.
        mutating func dropOldest(while stop: (State) -> Bool) {
            while let oldest = order.first, stop(self) {
                order.removeFirst()
                if entries[oldest.path]?.openedAt == oldest.openedAt { remove(oldest.path) }
            }
        }
    }

    private let state = NIOLockedValueBox(State())
    private let validity: TimeAmount
    private let capacity: Int
    let memoryBudget: Int64

    /// Files larger than this are never held in memory.
    static let largestInMemory: Int64 = 8 << 20

    public init(validity: TimeAmount = .seconds(1), capacity: Int = 4096, memoryBudget: Int64) {
        self.validity = validity
        self.capacity = capacity
        self.memoryBudget = memoryBudget
    }

    public func open(path: String, realRoot: String) throws -> OpenFile {
        let now = NIODeadline.now()
        let hit = state.withLockedValue { state -> Entry? in
            state.dropOldest { now - $0.order.first!.openedAt >= validity }
            guard var entry = state.entries[path] else { return nil }
            entry.uses += 1
            state.entries[path] = entry
            return entry
        }
        if let hit {
            // The second use loads it: exactly one caller sees uses == 2.
            return hit.uses == 2 && hit.file.contents == nil ? load(hit, path: path) : hit.file
        }
        let file = try OpenFile.open(path: path, realRoot: realRoot, readSmall: memoryBudget > 0)
        state.withLockedValue { state in
            state.insert(path, Entry(file: file, openedAt: now))
            state.dropOldest { $0.entries.count > capacity || $0.memoryBytes > memoryBudget }
        }
        return file
    }

    /// The hot entry's file with its bytes in memory, when they fit the budget.
    private func load(_ entry: Entry, path: String) -> OpenFile {
        guard entry.file.size <= min(Self.largestInMemory, memoryBudget), let loaded = entry.file.readIntoMemory() else {
            return entry.file
        }
        state.withLockedValue { state in
            // Replaced or forgotten meanwhile: the newer entry stands.
            guard var current = state.entries[path], current.openedAt == entry.openedAt else { return }
            state.memoryBytes += loaded.memoryBytes - current.file.memoryBytes
            current.file = loaded
            state.entries[path] = current
            // Over budget, the oldest go, this one too if it is the oldest: this request still
            // has its copy.
            state.dropOldest { $0.memoryBytes > memoryBudget }
        }
        return loaded
    }

    public func forget(_ path: String) {
        state.withLockedValue { $0.remove(path) }
    }
}
