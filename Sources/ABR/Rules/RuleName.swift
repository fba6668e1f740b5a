/// The rules by the names the command line takes.
public enum RuleName: String, CaseIterable, Sendable {
    case throughput, bba, bola, robustmpc, dynamic
    case `default`

    /// A fresh rule for one session; `defaultRule` sets the default rule's parameters.
    public func makeRule(defaultRule: ScenarioMPCRule.Parameters = .init()) -> ABRRule {
        switch self {
        case .throughput: return ThroughputRule()
        case .bba: return BBARule()
        case .bola: return BolaRule()
        case .robustmpc: return RobustMPCRule()
        case .dynamic: return DynamicRule()
        case .default: return ScenarioMPCRule(parameters: defaultRule)
        }
    }

    /// `all` expands to every rule; otherwise one name or several separated by commas, each
    /// run once however often it is named.
    public static func parse(_ text: String) throws -> [RuleName] {
        var rules: [RuleName] = []
        for name in text.split(separator: ",", omittingEmptySubsequences: false) {
            let expanded: [RuleName]
            if name == "all" {
                expanded = allCases
            } else if let rule = RuleName(rawValue: String(name)) {
                expanded = [rule]
            } else {
                throw PlayerError("unknown ABR rule '\(name)'; choose from \(allCases.map(\.rawValue).joined(separator: ", ")), several separated by commas, or all")
            }
            rules += expanded.filter { !rules.contains($0) }
        }
        return rules
    }
}
