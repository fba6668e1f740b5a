/// A mistake in a CDN configuration, worded for one line on stderr: the file, the field, and what
/// was wrong with it.
public struct TopologyError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
