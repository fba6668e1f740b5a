import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The open connections of one listener, so that stopping it closes them too (closing the
/// listening socket alone leaves accepted connections running).
public final class ConnectionRegistry: Sendable {
    private let channels = NIOLockedValueBox([ObjectIdentifier: Channel]())

    public init() {}

    /// Tracks `channel` until it closes; returns how many are open now, this one included.
    @discardableResult
    public func register(_ channel: Channel, onClose: @escaping @Sendable () -> Void = {}) -> Int {
        let id = ObjectIdentifier(channel)
        let open = channels.withLockedValue { $0[id] = channel; return $0.count }
        channel.closeFuture.whenComplete { [channels] _ in
            onClose()
            channels.withLockedValue { _ = $0.removeValue(forKey: id) }
        }
        return open
    }

    public func closeAll() {
        for channel in channels.withLockedValue({ Array($0.values) }) { try? channel.close().wait() }
    }
}

/// A bind or socket error in words for a one-line message ("address already in use").
public func socketErrorText(_ error: Error) -> String {
    if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
    return "\(error)"
}
