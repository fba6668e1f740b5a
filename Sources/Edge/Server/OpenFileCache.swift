import NIOConcurrencyHelpers
import NIOCore

/// Recently opened files by path, reused for up to a second (nginx's open_file_cache idea): a
/// hot manifest or segment then costs no open, fstat or path check per request. A file replaced
/// on disk is seen within the validity period; a cache that removes or replaces an object calls
/// `forget` so it is seen at once.
public final class OpenFileCache: Sendable {
    private struct Entry {
        let file: OpenFile
        let openedAt: NIODeadline
    }

    private let entries = NIOLockedValueBox([String: Entry]())
    private let validity: TimeAmount
    private let capacity: Int

    public init(validity: TimeAmount = .seconds(1), capacity: Int = 4096) {
        self.validity = validity
        self.capacity = capacity
    }

    public func open(path: String, realRoot: String) throws -> OpenFile {
        let now = NIODeadline.now()
        if let entry = entries.withLockedValue({ $0[path] }), now - entry.openedAt < validity {
            return entry.file
        }
        let file = try OpenFile.open(path: path, realRoot: realRoot)
        entries.withLockedValue { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[path] = Entry(file: file, openedAt: now)
        }
        return file
    }

    public func forget(_ path: String) {
        entries.withLockedValue { _ = $0.removeValue(forKey: path) }
    }
}
