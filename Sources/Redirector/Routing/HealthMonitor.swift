import AsyncHTTPClient
import DNSWire
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import ServerSupport
import Topology

/// Active health checks: every edge's /healthz is fetched every `interval`. A refused connection
/// (nothing listens: the edge is gone) or a non-"ok" answer takes the edge out at once; a failed
/// or late (past `timeout`) check only when the one before failed too, so that one connection
/// lost in a flood does not take a healthy edge out. The next good answer brings it back. With
/// the defaults (0.5 s, 1 s) a stopped edge is out within 0.5 s, a hung one within 2.5 s, and a
/// returning one back within 0.5 s. The reported load feeds spill-over.
public final class HealthMonitor: Sendable {
    public let board: HealthBoard
    private let edges: [EdgeConfig]
    private let client: HTTPClient
    private let interval: TimeAmount
    private let timeout: TimeAmount
    private let logger: Logger
    private let tasks = NIOLockedValueBox([RepeatedTask]())
    /// Failed checks in a row, per edge.
    private let failures: NIOLockedValueBox<[Int]>

    public init(edges: [EdgeConfig], interval: Double, timeout: Double, group: EventLoopGroup,
                logger: Logger) {
        self.edges = edges
        board = HealthBoard(edgeCount: edges.count)
        failures = NIOLockedValueBox(Array(repeating: 0, count: edges.count))
        self.interval = .fromSeconds(interval)
        self.timeout = .fromSeconds(timeout)
        self.logger = logger
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: self.timeout, read: self.timeout)
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 2)
        // A refused connection is reported at once rather than retried for the whole timeout:
        // it is how a stopped edge shows, and the rule above decides what it means.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .shared(group), configuration: configuration)
    }

    /// Starts checking every edge now; each edge's next check waits for its previous one.
    public func start() {
        let started = edges.indices.map { index in
            let loop = client.eventLoopGroup.next()
            return loop.scheduleRepeatedAsyncTask(initialDelay: .zero, delay: interval) { [self] _ in check(index, on: loop) }
        }
        tasks.withLockedValue { $0 = started }
    }

    public func stop() {
        tasks.withLockedValue { list in list.forEach { $0.cancel() }; list = [] }
        try? client.syncShutdown()
    }

    private func check(_ index: Int, on loop: EventLoop) -> EventLoopFuture<Void> {
        let edge = edges[index]
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: "http://\(edge.listen)/healthz")
        } catch {
            record(index, EdgeHealth(up: false, detail: "bad health URL"))
            return loop.makeSucceededVoidFuture()
        }
        return client.execute(request: request, eventLoop: .delegate(on: loop), deadline: .now() + timeout)
            .map { response in
                self.failures.withLockedValue { $0[index] = 0 }
                return Self.health(from: response)
            }
            .recover { error in
                let inARow = self.failures.withLockedValue { counts -> Int in
                    counts[index] += 1
                    return counts[index]
                }
                guard isConnectionRefused(error) || inARow >= 2 else { return self.board.snapshot[index] }
                return EdgeHealth(up: false, detail: requestFailureText(error))
            }
            .map { health in self.record(index, health) }
    }

    private func record(_ index: Int, _ health: EdgeHealth) {
        let previous = board.update(index, to: health)
        if previous.up != health.up {
            logger.notice("health: \(edges[index].name) is \(health.up ? "up" : "down")\(health.up ? "" : " (\(health.detail))")")
        }
    }

    static func health(from response: HTTPClient.Response) -> EdgeHealth {
        guard response.status == .ok else { return EdgeHealth(up: false, detail: "/healthz answered \(response.status.code)") }
        guard let body = response.body, let probe = try? JSONDecoder().decode(HealthReport.self, from: Data(body.readableBytesView)) else {
            return EdgeHealth(up: false, detail: "/healthz is not JSON")
        }
        guard probe.status == "ok" else { return EdgeHealth(up: false, detail: "status \(probe.status)") }
        return EdgeHealth(up: true, load: probe.load)
    }
}
