import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// The open connections of one listener, so that stopping it closes them too (closing the
/// listening socket alone leaves accepted connections running), and how many each client
/// address holds, so that one host cannot take every slot.
public final class ConnectionRegistry: Sendable {
    private struct State {
        var channels: [ObjectIdentifier: Channel] = [:]
        var perClient: [String: Int] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Tracks `channel` until it closes; returns how many are open now, this one included, in
    /// all and from its client's address.
    @discardableResult
    public func register(_ channel: Channel, onClose: @escaping @Sendable () -> Void = {}) -> (total: Int, fromClient: Int) {
        let id = ObjectIdentifier(channel)
        let client = channel.remoteAddress?.ipAddress ?? "-"
        let open = state.withLockedValue { state -> (Int, Int) in
            state.channels[id] = channel
            state.perClient[client, default: 0] += 1
            return (state.channels.count, state.perClient[client]!)
        }
        channel.closeFuture.whenComplete { [state] _ in
            onClose()
            state.withLockedValue { state in
                state.channels.removeValue(forKey: id)
                let left = (state.perClient[client] ?? 1) - 1
                state.perClient[client] = left > 0 ? left : nil
            }
        }
        return open
    }

    /// Registers `channel` and says whether it is within the limits; one over them is still
    /// tracked until it closes.
    public func admit(_ channel: Channel, total: Int, perClient: Int) -> Bool {
        let open = register(channel)
        return open.total <= total && open.fromClient <= perClient
    }

    public func closeAll() {
        for channel in state.withLockedValue({ Array($0.channels.values) }) { try? channel.close().wait() }
    }
}
