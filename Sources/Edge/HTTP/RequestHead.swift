import Foundation
import HTTPCore

/// One parsed HTTP/1.x request head. Header names are kept lower-cased, values trimmed.
public struct RequestHead: Sendable, Equatable {
    public var method: HTTPMethod
    public var target: String
    /// 0 for HTTP/1.0, 1 for HTTP/1.1.
    public var minorVersion: Int
    public var headers: [(name: String, value: String)]

    public init(method: HTTPMethod, target: String, minorVersion: Int, headers: [(name: String, value: String)]) {
        self.method = method
        self.target = target
        self.minorVersion = minorVersion
        self.headers = headers
    }

    /// The first value of a header, by lower-case name.
    public subscript(name: String) -> String? {
        headers.first { $0.name == name }?.value
    }

    /// HTTP/1.1 keeps the connection unless told `close`; HTTP/1.0 closes unless told `keep-alive`.
    public var keepAlive: Bool {
        guard let connection = self["connection"] else { return minorVersion >= 1 }
        let tokens = connection.lowercased().split(separator: ",").map { $0.filter { $0 != " " && $0 != "\t" } }
        return minorVersion >= 1 ? !tokens.contains("close") : tokens.contains("keep-alive")
    }

    /// A request that carries a body; this server takes none, so it answers and closes.
    public var hasBody: Bool {
        if self["transfer-encoding"] != nil { return true }
        if self["content-length"] != nil { return RequestHeadParser.contentLength(headers) != 0 }
        return false
    }

    public static func == (lhs: RequestHead, rhs: RequestHead) -> Bool {
        lhs.method == rhs.method && lhs.target == rhs.target && lhs.minorVersion == rhs.minorVersion
            && lhs.headers.elementsEqual(rhs.headers) { $0.name == $1.name && $0.value == $1.value }
    }
}
