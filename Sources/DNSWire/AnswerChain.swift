/// What a resolver's answer says about one name: the CNAMEs it passes through and the records
/// of the asked type at the end (RFC 1034 §3.6.2: the chain comes first in the answer section,
/// in order, but a client must not count on the order). Records for other owners are ignored.
public struct AnswerChain: Sendable, Equatable {
    /// The names passed through, the asked name first and the canonical name last.
    public var names: [DNSName]
    public var records: [ResourceRecord]

    /// A chain longer than this is a loop, or an answer not worth following.
    public static let maxLength = 16

    public init(answers: [ResourceRecord], for name: DNSName, type: DNSRecordType) {
        var owner = name
        var names = [name]
        while names.count <= Self.maxLength,
              let alias = answers.lazy.compactMap({ record -> DNSName? in
                  guard record.name == owner, case .cname(let target) = record.data else { return nil }
                  return target
              }).first, !names.contains(alias) {
            owner = alias
            names.append(alias)
        }
        self.names = names
        records = answers.filter { $0.name == owner && $0.data.type == type }
    }
}
