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
        case .default: return ScenarioMPCRule()
        }
    }

    /// `all` expands to every rule; otherwise one name or several separated by commas.
    public static func parse(_ text: String) throws -> [RuleName] {
        if text == "all" { return allCases }
        return try text.split(separator: ",", omittingEmptySubsequences: false).map { name in
            guard let rule = RuleName(rawValue: String(name)) else {
                throw PlayerError("unknown ABR rule '\(name)'; choose from \(allCases.map(\.rawValue).joined(separator: ", ")), several separated by commas, or all")
            }
            return rule
        }
    }
}
