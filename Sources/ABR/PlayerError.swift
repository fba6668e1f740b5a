/// A problem with an input the user gave (a trace, a video table, a rule name), worded for one
/// line on stderr.
public struct PlayerError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}
