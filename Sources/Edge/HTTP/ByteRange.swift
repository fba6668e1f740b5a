import Foundation

/// A `Range` request header resolved against a representation's length (RFC 9110 §14).
public enum ByteRangeRequest: Equatable, Sendable {
    /// No usable range: serve the whole representation. Malformed and multi-range headers land
    /// here too, which RFC 9110 §14.2 allows ("a server MAY ignore the Range header").
    case whole
    /// One satisfiable range, bounds inclusive and clipped to the length.
    case range(ClosedRange<Int64>)
    /// A well-formed range that selects nothing: 416 with `Content-Range: bytes */length`.
    case unsatisfiable

    public init(header: String?, length: Int64) {
        guard let header else { self = .whole; return }
        let trimmed = header.trimmingCharacters(in: .whitespaces)
        guard trimmed.lowercased().hasPrefix("bytes=") else { self = .whole; return }
        let spec = trimmed.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard !spec.contains(","), let dash = spec.firstIndex(of: "-") else { self = .whole; return }
        let firstText = spec[..<dash].trimmingCharacters(in: .whitespaces)
        let lastText = spec[spec.index(after: dash)...].trimmingCharacters(in: .whitespaces)
        func number(_ text: String) -> Int64? {
            guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int64(text) ?? Int64.max  // absurdly long numbers still mean "past the end"
        }
        if firstText.isEmpty {
            // Suffix range: the last N bytes.
            guard let suffix = number(lastText) else { self = .whole; return }
            guard suffix > 0, length > 0 else { self = .unsatisfiable; return }
            self = .range(max(0, length - suffix)...(length - 1))
            return
        }
        guard let first = number(firstText) else { self = .whole; return }
        let last: Int64
        if lastText.isEmpty {
            last = length - 1
        } else {
            guard let parsed = number(lastText), parsed >= first else { self = .whole; return }
            last = min(parsed, length - 1)
        }
        self = first < length ? .range(first...last) : .unsatisfiable
    }
}

