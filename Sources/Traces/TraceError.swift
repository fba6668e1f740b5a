/// A trace file that cannot be read or makes no sense, worded for one line on stderr.
public struct TraceError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
