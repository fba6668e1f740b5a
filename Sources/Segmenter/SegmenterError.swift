/// A problem with what the user asked for or gave us, worded for one line on stderr.
public struct SegmenterError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
