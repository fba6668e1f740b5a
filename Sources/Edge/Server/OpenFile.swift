import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor this process owns, closed when the last reference goes. Responses hold one
/// so a file stays readable while it is sent, even if the cache evicts or replaces it meanwhile.
public final class OpenFile: Sendable {
    public let descriptor: CInt
    public let size: Int64
    /// Modification time, whole seconds since 1970.
    public let modified: Int
    public let validators: Validators
    /// The file's bytes, when held in memory: small files from the start (manifests, init
    /// segments), larger ones once they are hot (see `OpenFileCache`). Sent with write() from
    /// here, saving the sendfile call and a descriptor per request.
    public let contents: ByteBuffer?

    /// Files up to this size are read into memory when opened, if reading is allowed.
    static let smallFileLimit: Int64 = 64 * 1024

    init(descriptor: CInt, size: Int64, modified: Int, contents: ByteBuffer? = nil) {
        self.descriptor = descriptor
        self.size = size
        self.modified = modified
        validators = Validators(size: size, modified: modified)
        self.contents = contents
    }

    /// Bytes of memory this handle holds.
    var memoryBytes: Int64 { Int64(contents?.readableBytes ?? 0) }

    /// The same file with its bytes in memory, on a handle of its own; nil if it cannot be read whole.
    func readIntoMemory() -> OpenFile? {
        guard let bytes = Self.read(descriptor, size: Int(size)) else { return nil }
        let copy = dup(descriptor)
        guard copy >= 0 else { return nil }
        return OpenFile(descriptor: copy, size: size, modified: modified, contents: bytes)
    }

    private static func read(_ fd: CInt, size: Int) -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        var done = 0
        while done < size {
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size - done) {
                max(0, pread(fd, $0.baseAddress, size - done, off_t(done)))
            }
            guard count > 0 else { return nil }
            done += count
        }
        return buffer
    }

    deinit { close(descriptor) }

    public enum OpenFailure: Error { case notFound, outsideRoot }

    /// Opens a regular file, refusing anything whose real location (after every symlink) is not
    /// inside `realRoot`: the check is made on the opened descriptor, so no rename or symlink
    /// swap between check and use can slip a file from elsewhere in.
    public static func open(path: String, realRoot: String, readSmall: Bool) throws -> OpenFile {
        // O_NONBLOCK: opening a FIFO would otherwise wait for a writer, on the event loop.
        // Anything but a regular file is refused below.
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
        guard fd >= 0 else { throw OpenFailure.notFound }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw OpenFailure.notFound
        }
        guard let real = realPath(of: fd), real.hasPrefix(realRoot.hasSuffix("/") ? realRoot : realRoot + "/") else {
            close(fd)
            throw OpenFailure.outsideRoot
        }
        let size = Int64(info.st_size)
        let contents = readSmall && size <= smallFileLimit ? read(fd, size: Int(size)) : nil
        return OpenFile(descriptor: fd, size: size, modified: Int(info.st_mtim.tv_sec), contents: contents)
    }

    /// `length` bytes from `offset` for one sendfile write, on a separately owned handle; nil
    /// when the file is no longer that long (cut short since it was opened) or cannot be had.
    func region(from offset: Int64, length: Int64) -> FileRegion? {
        guard let size = Self.size(of: descriptor), size >= offset + length else { return nil }
        let copy = dup(descriptor)
        guard copy >= 0 else { return nil }
        return FileRegion(fileHandle: NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: copy),
                          readerIndex: Int(offset), endIndex: Int(offset + length))
    }

    /// The size of an open file as it is now.
    static func size(of fd: CInt) -> Int64? {
        var info = stat()
        return fstat(fd, &info) == 0 ? Int64(info.st_size) : nil
    }

    private static func realPath(of fd: CInt) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/fd/\(fd)", &buffer, buffer.count - 1)
        guard length > 0 else { return nil }
        buffer[length] = 0
        return String(cString: buffer)
    }

    /// The canonical form of a root folder, to compare opened files against.
    public static func realRoot(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
