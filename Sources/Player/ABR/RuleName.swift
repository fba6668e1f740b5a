/// The rules by the names the command line takes.
public enum RuleName: String, CaseIterable, Sendable {
    case throughput, bba, bola, robustmpc, dynamic
    case `default`

    /// A fresh rule for one session.
    public func makeRule() -> ABRRule {
        switch self {
        case .throughput: return ThroughputRule()
        case .bba: return BBARule()
        case .bola: return BolaRule()
        case .robustmpc: return RobustMPCRule()
        case .dynamic: return DynamicRule()
        case .default: return RobustMPCRule()
        }
    }

    /// `all` expands to every rule; anything else must name one.
    public static func parse(_ text: String) throws -> [RuleName] {
        if text == "all" { return allCases }
        guard let rule = RuleName(rawValue: text) else {
            throw PlayerError("unknown ABR rule '\(text)'; choose one of \(allCases.map(\.rawValue).joined(separator: ", ")) or all")
        }
        return [rule]
    }
}
