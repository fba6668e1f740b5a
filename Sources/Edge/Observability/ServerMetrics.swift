import CMCD
import Foundation
import NIOConcurrencyHelpers
import Prometheus

/// One server's counters, exposed at /metrics in Prometheus text through swift-prometheus. Each
/// server owns its registry, so several servers in one process (`cdn up`) report separately.
public final class ServerMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    private let bytes: Counter
    private let cacheHits: Counter
    private let cacheMisses: Counter
    private let upstreamFetches: Counter
    private let upstreamErrors: Counter
    private let connections: Gauge
    private let rejectedConnections: Counter
    private let duration: DurationHistogram
    private let byStatus = NIOLockedValueBox([Int: Counter]())
    /// What clients report with CMCD, by coverage zone.
    private let clientBuffers = NIOLockedValueBox([String: ValueHistogram]())
    private let clientThroughputs = NIOLockedValueBox([String: ValueHistogram]())
    private let state = NIOLockedValueBox(State())

    private struct State {
        var activeConnections = 0
        var totalBytes: Int64 = 0
    }

    public init() {
        bytes = registry.makeCounter(descriptor: .init(namespace: "dashcdn", metricName: "response_bytes", unitName: "total", helpText: "Body and head bytes sent to clients"))
        cacheHits = registry.makeCounter(descriptor: .init(namespace: "dashcdn", metricName: "cache_hits", unitName: "total", helpText: "Requests answered from the edge's cache"))
        cacheMisses = registry.makeCounter(descriptor: .init(namespace: "dashcdn", metricName: "cache_misses", unitName: "total", helpText: "Requests that needed the parent"))
        upstreamFetches = registry.makeCounter(descriptor: .init(namespace: "dashcdn", metricName: "upstream_fetches", unitName: "total", helpText: "Requests sent to the parent"))
        upstreamErrors = registry.makeCounter(descriptor: .init(namespace: "dashcdn", metricName: "upstream_errors", unitName: "total", helpText: "Parent fetches that failed"))
        connections = registry.makeGauge(descriptor: .init(namespace: "dashcdn", metricName: "active_connections", unitName: "", helpText: "Client connections open now"))
        rejectedConnections = registry.makeCounter(descriptor: .init(namespace: "dashcdn", metricName: "rejected_connections", unitName: "total", helpText: "Connections turned away at the connection limit"))
        duration = registry.makeDurationHistogram(
            descriptor: .init(namespace: "dashcdn", metricName: "request_duration", unitName: "seconds",
                              helpText: "Time from a request's head to its last byte"),
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(25), .milliseconds(100),
                      .milliseconds(500), .seconds(2), .seconds(10)])
    }

    public func request(status: Int, bytesSent: Int64, seconds: Double) {
        let counter = byStatus.withLockedValue { counters in
            if let existing = counters[status] { return existing }
            let made = registry.makeCounter(
                descriptor: .init(namespace: "dashcdn", metricName: "http_requests", unitName: "total",
                                  helpText: "Requests answered, by status"),
                labels: [("status", String(status))])
            counters[status] = made
            return made
        }
        counter.increment()
        bytes.increment(by: bytesSent)
        duration.recordNanoseconds(Int64(seconds * 1e9))
    }

    public func sent(bytes count: Int64) {
        state.withLockedValue { $0.totalBytes += count }
    }

    public func cache(hit: Bool) { hit ? cacheHits.increment() : cacheMisses.increment() }
    public func upstreamFetch() { upstreamFetches.increment() }
    public func upstreamError() { upstreamErrors.increment() }
    public func rejectedConnection() { rejectedConnections.increment() }

    /// Counts a connection in or out and returns how many are open.
    @discardableResult
    public func connection(opened: Bool) -> Int {
        let now = state.withLockedValue { state -> Int in
            state.activeConnections += opened ? 1 : -1
            return state.activeConnections
        }
        connections.set(Int64(now))
        return now
    }

    public var activeConnections: Int { state.withLockedValue { $0.activeConnections } }
    public var totalBytes: Int64 { state.withLockedValue { $0.totalBytes } }

    public func prometheusText() -> String { registry.emitToString() }
}

extension ServerMetrics: RequestObserver {
    public func requestFinished(_ record: RequestRecord) {
        request(status: record.status.code, bytesSent: record.bytesSent, seconds: record.seconds)
        if let status = record.cacheStatus, record.status.code < 400 { cache(hit: status == .hit) }
        if let cmcd = record.cmcd { clientReport(cmcd, zone: record.zone ?? "unknown") }
    }

    /// A client's buffer length (seconds) and measured throughput (kbit/s), from its CMCD.
    func clientReport(_ cmcd: CMCDData, zone: String) {
        if let buffer = cmcd.bufferLengthMs {
            histogram(in: clientBuffers, name: "client_buffer", unit: "seconds", help: "Buffer length clients report (CMCD bl)",
                      buckets: [0.5, 1, 2, 4, 8, 15, 30, 60], zone: zone).record(Double(buffer) / 1000)
        }
        if let throughput = cmcd.measuredThroughputKbps {
            histogram(in: clientThroughputs, name: "client_throughput", unit: "kbps",
                      help: "Throughput clients measure (CMCD mtp)",
                      buckets: [250, 500, 1000, 2000, 4000, 8000, 16000, 50000], zone: zone).record(Double(throughput))
        }
    }

    private func histogram(in box: NIOLockedValueBox<[String: ValueHistogram]>, name: String, unit: String, help: String,
                           buckets: [Double], zone: String) -> ValueHistogram {
        box.withLockedValue { histograms in
            if let existing = histograms[zone] { return existing }
            let made = registry.makeValueHistogram(
                descriptor: .init(namespace: "dashcdn", metricName: name, unitName: unit, helpText: help),
                labels: [("zone", zone)], buckets: buckets)
            histograms[zone] = made
            return made
        }
    }
}
