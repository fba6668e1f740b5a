import NIOCore
import NIOPosix

/// A TCP port free on `host` right now, for configurations that say port 0 but whose servers
/// must know each other's ports before they start (the origin names every edge in its steering
/// manifests). The port is released before returning; on loopback nothing else takes it first.
public func freeTCPPort(host: String, group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws -> Int {
    let channel = try ServerBootstrap(group: group).bind(host: host, port: 0).wait()
    defer { try? channel.close().wait() }
    return channel.localAddress?.port ?? 0
}
