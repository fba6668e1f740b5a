import CFFmpeg

/// A failed FFmpeg call: what we were doing and av_strerror's text for the code it returned.
public struct FFmpegError: Error, CustomStringConvertible, Sendable {
    public let operation: String
    public let code: Int32
    public let message: String

    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
        self.message = FFmpegError.text(for: code)
    }

    /// An error that FFmpeg did not return but that we detect around it (no stream, bad setup).
    public init(_ operation: String, message: String) {
        self.operation = operation
        self.code = 0
        self.message = message
    }

    public var description: String { "\(operation): \(message)" }

    /// AVERROR_INVALIDDATA: the bytes are not what the format or codec says they should be.
    public static var invalidDataCode: Int32 { dashcdn_averror_invaliddata() }

    static func text(for code: Int32) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        if av_strerror(code, &buffer, buffer.count) < 0 {
            return "error \(code)"
        }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Turns a negative FFmpeg return code into a thrown error; passes others through.
@discardableResult
func check(_ code: Int32, _ operation: @autoclosure () -> String) throws -> Int32 {
    if code < 0 { throw FFmpegError(operation(), code: code) }
    return code
}

/// Quiets FFmpeg's own logging: errors reach the user through thrown FFmpegErrors instead.
public enum FFmpegLog {
    public static func quiet() { av_log_set_level(AV_LOG_QUIET) }
}
