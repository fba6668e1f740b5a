import NIOCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file descriptor this process owns, closed when the last reference goes. Responses hold one
/// so a file stays readable while it is sent, even if the cache evicts or replaces it meanwhile.
public final class OpenFile: @unchecked Sendable {
    public let descriptor: CInt
    public let size: Int64
    /// Modification time, whole seconds since 1970.
    public let modified: Int
    public let validators: Validators
    /// The whole file when it is small (manifests, init segments): sent in the same write as the
    /// response head, which saves the sendfile call and a descriptor per request.
    public let contents: ByteBuffer?

    /// Files up to this size are read into memory when opened.
    static let inlineLimit: Int64 = 64 * 1024

    init(descriptor: CInt, size: Int64, modified: Int, readContents: Bool = false) {
        self.descriptor = descriptor
        self.size = size
        self.modified = modified
        validators = Validators(size: size, modified: modified)
        contents = readContents && size <= Self.inlineLimit ? Self.read(descriptor, size: Int(size)) : nil
    }

    private static func read(_ fd: CInt, size: Int) -> ByteBuffer? {
        var buffer = ByteBufferAllocator().buffer(capacity: size)
        let done = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { pread(fd, $0.baseAddress, size, 0) }
        return done == size ? buffer : nil
    }

    deinit { close(descriptor) }

    public enum OpenFailure: Error { case notFound, outsideRoot }

    /// Opens a regular file, refusing anything whose real location (after every symlink) is not
    /// inside `realRoot`: the check is made on the opened descriptor, so no rename or symlink
    /// swap between check and use can slip a file from elsewhere in.
    public static func open(path: String, realRoot: String) throws -> OpenFile {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
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
        return OpenFile(descriptor: fd, size: Int64(info.st_size), modified: Int(info.st_mtim.tv_sec), readContents: true)
    }

    /// A new, separately owned handle on the same open file, for one FileRegion write.
    func regionHandle() throws -> NIOFileHandle {
        let copy = dup(descriptor)
        guard copy >= 0 else { throw IOError(errnoCode: errno, reason: "dup") }
        return NIOFileHandle(_deprecatedTakingOwnershipOfDescriptor: copy)
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
