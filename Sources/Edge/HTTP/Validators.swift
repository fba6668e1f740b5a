import Foundation

/// What a client can compare against: a strong entity tag and the modification time, in the
/// form nginx uses (`"<mtime hex>-<size hex>"`) so that an edge holding an object with the same
/// size and time as its parent reports the same tag.
public struct Validators: Sendable, Equatable {
    public let etag: String
    public let lastModified: Int
    /// `lastModified` as the Last-Modified header writes it, formatted once per file, not per response.
    public let lastModifiedText: String

    public init(size: Int64, modified: Int) {
        etag = "\"\(String(modified, radix: 16))-\(String(size, radix: 16))\""
        lastModified = modified
        lastModifiedText = HTTPDate.format(modified)
    }

    /// RFC 9110 §8.8.3.2 weak comparison (for If-None-Match): opaque tags equal, W/ ignored.
    static func weakMatch(_ list: String, _ etag: String) -> Bool {
        list.trimmingCharacters(in: .whitespaces) == "*" || tags(list).contains { strip($0) == strip(etag) }
    }

    /// Strong comparison (for If-Match and If-Range): neither tag may be weak.
    static func strongMatch(_ list: String, _ etag: String) -> Bool {
        list.trimmingCharacters(in: .whitespaces) == "*" || tags(list).contains { !$0.hasPrefix("W/") && $0 == etag }
    }

    private static func tags(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }

    private static func strip(_ tag: String) -> String { tag.hasPrefix("W/") ? String(tag.dropFirst(2)) : tag }
}

/// The outcome of a request's preconditions (RFC 9110 §13.2.2, evaluated in its order).
public enum PreconditionResult: Equatable, Sendable {
    case proceed(honourRange: Bool)
    case notModified
    case failed
}

public enum Preconditions {
    public static func evaluate(_ head: RequestHead, validators: Validators) -> PreconditionResult {
        if let ifMatch = head["if-match"] {
            if !Validators.strongMatch(ifMatch, validators.etag) { return .failed }
        } else if let text = head["if-unmodified-since"], let date = HTTPDate.parse(text), validators.lastModified > date {
            return .failed
        }
        if let ifNoneMatch = head["if-none-match"] {
            if Validators.weakMatch(ifNoneMatch, validators.etag) { return .notModified }
        } else if let text = head["if-modified-since"], let date = HTTPDate.parse(text), validators.lastModified <= date {
            return .notModified
        }
        return .proceed(honourRange: rangeStillValid(head, validators: validators))
    }

    /// If-Range: the range applies only when the client's copy is the current one.
    private static func rangeStillValid(_ head: RequestHead, validators: Validators) -> Bool {
        guard let ifRange = head["if-range"]?.trimmingCharacters(in: .whitespaces) else { return true }
        if ifRange.hasPrefix("\"") || ifRange.hasPrefix("W/") {
            return !ifRange.hasPrefix("W/") && ifRange == validators.etag
        }
        return HTTPDate.parse(ifRange) == validators.lastModified
    }
}
