import Addressing
import DNSWire
import Foundation

/// A viewer's lookup, through its recursive resolver (RD set) rather than at the CDN's own
/// server: `_http._tcp.<host>` SRV first, where the name has one (following CNAMEs; each
/// target's address asked in turn, as resolvers return no additional records); otherwise the
/// host's A then AAAA records, following CNAMEs, on the URL's port.
struct ResolverLookup {
    let resolver: String
    let resolverPort: Int
    let sourceAddress: String?

    func edges(for host: String, port: Int) async throws -> [EdgeChoice] {
        guard let name = DNSName(host), let service = DNSName("_http._tcp." + host) else {
            throw FetchError("\(host) is not a DNS name")
        }
        let srv = try await ask(service, .srv)
        let targets = srv.records.compactMap { record -> (priority: UInt16, port: UInt16, target: DNSName)? in
            guard case let .srv(priority, _, port, target) = record.data else { return nil }
            return (priority, port, target)
        }
        if !targets.isEmpty {
            var choices: [EdgeChoice] = []
            for target in targets.enumerated().sorted(by: { ($0.element.priority, $0.offset) < ($1.element.priority, $1.offset) }) {
                guard let address = try await address(of: target.element.target) else { continue }
                let label = target.element.target.description.split(separator: ".").first.map(String.init) ?? address
                choices.append(EdgeChoice(name: label, authority: ListenAddress(host: address, port: Int(target.element.port))))
            }
            guard !choices.isEmpty else { throw FetchError("no SRV target of \(service) has an address") }
            return choices
        }
        guard let address = try await address(of: name) else { throw FetchError("\(host) has no A or AAAA records") }
        let authority = ListenAddress(host: address, port: port)
        return [EdgeChoice(name: authority.description, authority: authority)]
    }

    /// The first A (else AAAA) address at the end of `name`'s CNAME chain; nil when it has none.
    private func address(of name: DNSName) async throws -> String? {
        for type in [DNSRecordType.a, .aaaa] {
            let chain = try await ask(name, type)
            for record in chain.records {
                if case .a(let octets) = record.data { return IPAddress(bytes: octets)?.description }
                if case .aaaa(let octets) = record.data { return IPAddress(bytes: octets)?.description }
            }
        }
        return nil
    }

    /// The answer chain for `name`; NXDOMAIN and NODATA are an empty one, other rcodes errors.
    private func ask(_ name: DNSName, _ type: DNSRecordType) async throws -> AnswerChain {
        let (response, _) = try await DNSExchange.ask(name, type, server: resolver, port: resolverPort,
                                                      sourceAddress: sourceAddress, recursionDesired: true)
        switch response.rcode {
        case .noError, .nameError:
            return AnswerChain(answers: response.answers, for: name, type: type)
        default:
            throw FetchError("resolver \(resolver):\(resolverPort) answered \(response.rcode) for \(name) \(type)",
                             status: Int(response.rcode.rawValue))
        }
    }
}
