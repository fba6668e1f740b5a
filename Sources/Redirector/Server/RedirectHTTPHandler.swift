import Addressing
import DNSWire
import HTTPCore
import NIOCore
import NIOHTTP1
import ServerSupport
import Topology

/// The HTTP edge of the redirector: NIOHTTP1 parses, `RedirectRules` decides, this writes.
final class RedirectHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let rules: RedirectRules
    private let selector: EdgeSelector
    private let board: HealthBoard
    private let log: LineLog
    private var head: HTTPRequestHead?

    init(rules: RedirectRules, selector: EdgeSelector, board: HealthBoard, log: LineLog) {
        self.rules = rules
        self.selector = selector
        self.board = board
        self.log = log
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
        case .body:
            break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        guard let client = IPAddress(context.remoteAddress) else { context.close(promise: nil); return }
        let health = board.snapshot
        let (reply, decision) = rules.reply(method: HTTPCore.HTTPMethod(head.method.rawValue), target: head.uri,
                                            hostFields: head.headers["host"].count,
                                            http11: head.version.major == 1 && head.version.minor >= 1, health: health,
                                            requestedHeaders: head.headers.first(name: "access-control-request-headers")) { key in
            selector.decide(client: client, prefixLength: client.bytes.count * 8, health: health, contentKey: key)
        }
        if let decision, log.isEnabled {
            log.write(decision.logLine(via: "http \(reply.status.code) \(head.uri.prefix(200))"))
        }
        var headers = HTTPHeaders(reply.headers)
        headers.add(name: "Server", value: "dashcdn-redirector")
        headers.add(name: "Content-Length", value: String(reply.body.utf8.count))
        let keepAlive = head.isKeepAlive && reply.status != .badRequest
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus(statusCode: reply.status.code, reasonPhrase: reply.status.reason)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))), promise: nil)
        if head.method != .HEAD, !reply.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply.body)))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive { done.assumeIsolated().whenComplete { _ in context.close(promise: nil) } }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }
}
