import ContentLayout
import Foundation
import NIOConcurrencyHelpers
import ServerSupport
#if canImport(Glibc)
import Glibc
#endif

/// An edge's cache folder: objects stored under their URL path, an LRU index of them within a
/// byte budget, and the rule that only complete objects ever carry their final name (they are
/// written under a temporary name and renamed once whole).
public final class CacheStore: Sendable {
    public let folder: String
    public let maxBytes: Int64
    private let realFolder: String
    private let index = NIOLockedValueBox(LRUIndex())
    private let files: OpenFileCache
    private let health = NIOLockedValueBox(Health())
    private let clock: @Sendable () -> Double
    private static let temporaryPrefix = ".tmp-"
    /// After a write failure the cache reports itself degraded for this long.
    static let degradedSeconds = 30.0

    private struct Health {
        var writeFailures = 0
        var lastFailure: Double?
    }

    /// `memoryBudget`: bytes of hot objects also held in memory (`limits.memory_cache_bytes`).
    /// `clock`: seconds on a monotonic clock, for freshness and for how long the cache counts as
    /// degraded after a failure.
    public init(folder: String, maxBytes: Int64, memoryBudget: Int64, clock: @escaping @Sendable () -> Double) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw ServerError("\(folder): cannot create the cache folder")
        }
        guard let real = OpenFile.realRoot(folder) else { throw ServerError("\(folder): cannot resolve the cache folder") }
        self.folder = folder
        self.maxBytes = maxBytes
        files = OpenFileCache(memoryBudget: memoryBudget)
        realFolder = real
        self.clock = clock
        try adoptExisting(now: clock())
    }

    /// A restarted edge keeps what it held: complete objects re-enter the index (oldest access
    /// first), leftovers of interrupted fetches are removed. Manifests count as stale.
    private func adoptExisting(now: Double) throws {
        guard let walker = FileManager.default.enumerator(atPath: realFolder) else { return }
        var found: [(key: String, size: Int64, time: Double)] = []
        while let relative = walker.nextObject() as? String {
            let path = realFolder + "/" + relative
            guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
                  attributes[.type] as? FileAttributeType == .typeRegular else { continue }
            if (relative as NSString).lastPathComponent.hasPrefix(Self.temporaryPrefix) {
                try? FileManager.default.removeItem(atPath: path)
                continue
            }
            let size = (attributes[.size] as? NSNumber)?.int64Value ?? 0
            let time = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
            found.append(("/" + relative, size, time))
        }
        let evicted = index.withLockedValue { index -> [String] in
            for item in found.sorted(by: { $0.time < $1.time }) {
                let policy = ContentPolicy.of(ContentKind(fileName: item.key))
                let fresh = policy.freshFor >= ContentPolicy.segmentLifetime ? now + Double(policy.freshFor) : 0
                index.insert(item.key, LRUIndex.Entry(size: item.size, freshUntil: fresh))
            }
            return index.evict(toFit: maxBytes)
        }
        evicted.forEach(removeFile)
    }

    public func path(for key: String) -> String { realFolder + key }

    /// The stored object and whether it is still fresh; touching it for LRU.
    public func lookup(_ key: String, now: Double) -> (file: OpenFile, fresh: Bool)? {
        guard let entry = index.withLockedValue({ $0.touch(key) }) else { return nil }
        guard let file = try? files.open(path: path(for: key), realRoot: realFolder) else {
            index.withLockedValue { _ = $0.remove(key) }
            return nil
        }
        return (file, now < entry.freshUntil)
    }

    public func forget(_ key: String) {
        if index.withLockedValue({ $0.remove(key) }) != nil { removeFile(key) }
    }

    /// A new temporary file in the cache folder, open for reading and writing; nil when the
    /// cache cannot take one (counted as a write failure). A folder removed from under the
    /// running edge is made again.
    func makeTemporaryFile() -> (path: String, descriptor: CInt)? {
        let path = realFolder + "/" + Self.temporaryPrefix + UUID().uuidString
        var fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if fd < 0, errno == ENOENT, checkFolder() {
            fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        }
        guard fd >= 0 else {
            writeFailed(errno: errno, needing: 0)
            return nil
        }
        return (path, fd)
    }

    /// Gives a complete temporary file its final name and makes room for it; false when it
    /// cannot be stored (counted as a write failure; the caller removes the temporary file).
    func commit(temporary: String, key: String, size: Int64, freshUntil: Double) -> Bool {
        let destination = path(for: key)
        do {
            try FileManager.default.createDirectory(atPath: (destination as NSString).deletingLastPathComponent,
                                                    withIntermediateDirectories: true)
        } catch {
            writeFailed(errno: ENOENT, needing: 0)
            return false
        }
        guard rename(temporary, destination) == 0 else {
            writeFailed(errno: errno, needing: 0)
            return false
        }
        files.forget(destination)
        let evicted = index.withLockedValue { index -> [String] in
            index.insert(key, LRUIndex.Entry(size: size, freshUntil: freshUntil))
            return index.evict(toFit: maxBytes, keep: key)
        }
        evicted.forEach(removeFile)
        // An object larger than the whole budget is served once and not kept.
        if size > maxBytes { forget(key) }
        return true
    }

    /// A write into the cache failed (`errno`); on a full disk, the least recently used objects
    /// make room for `bytes` more.
    func writeFailed(errno code: CInt, needing bytes: Int64) {
        health.withLockedValue {
            $0.writeFailures += 1
            $0.lastFailure = clock()
        }
        guard code == ENOSPC || code == EDQUOT else { return }
        let evicted = index.withLockedValue { index in
            index.evict(toFit: max(0, min(maxBytes, index.totalBytes) - max(bytes, 1)))
        }
        evicted.forEach(removeFile)
    }

    /// Makes the folder again if it was removed, forgetting the objects that went with it;
    /// false if it cannot be made. The edge calls this every second.
    @discardableResult
    public func checkFolder() -> Bool {
        var info = stat()
        if stat(realFolder, &info) == 0 { return true }
        index.withLockedValue { $0 = LRUIndex() }
        health.withLockedValue { $0.lastFailure = clock() }
        return (try? FileManager.default.createDirectory(atPath: realFolder, withIntermediateDirectories: true)) != nil
    }

    /// What /healthz reports of the cache.
    public var report: (bytes: Int64, objects: Int, degraded: Bool, writeFailures: Int) {
        let (bytes, objects) = stats
        let health = health.withLockedValue { $0 }
        let degraded = health.lastFailure.map { clock() - $0 < Self.degradedSeconds } ?? false
        return (bytes, objects, degraded, health.writeFailures)
    }

    public var stats: (bytes: Int64, objects: Int) {
        index.withLockedValue { ($0.totalBytes, $0.count) }
    }

    private func removeFile(_ key: String) {
        // Readers holding the file open keep reading it; unlink only drops the name.
        files.forget(path(for: key))
        unlink(path(for: key))
    }
}
