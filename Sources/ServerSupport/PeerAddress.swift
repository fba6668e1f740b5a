import Addressing
import NIOCore

extension IPAddress {
    /// The address of a socket peer; nil for Unix sockets.
    public init?(_ address: SocketAddress?) {
        guard let address else { return nil }
        switch address {
        case .v4(let v4):
            self.init(bytes: withUnsafeBytes(of: v4.address.sin_addr) { Array($0) })
        case .v6(let v6):
            self.init(bytes: withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
        default:
            return nil
        }
    }
}
