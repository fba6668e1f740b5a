import Addressing
import DNSSEC
import DNSWire
import ServerSupport
import Topology

/// The DNS view of a CDN configuration and the answer to every query, as a pure function of the
/// query, the client address and a routing rule. Names it is authoritative for: the domain's
/// apex (SOA, NS), `ns1.<domain>`, the routing name (A/AAAA of the chosen edge), its SRV name
/// `_http._tcp.<routing name>` (every usable edge with its port, best first), one host name per
/// edge (`<edge>.<domain>`), and each alias owner (a CNAME followed inside the zone). With keys,
/// the apex has a DNSKEY set and answers to queries with the DO bit are signed.
public struct AuthoritativeZone: Sendable {
    public let apex: DNSName
    public let routingName: DNSName
    public let serviceName: DNSName
    let ttl: UInt32
    let soa: SOAData
    let nameServer: DNSName
    let nameServerAddresses: [RecordData]
    let edgeHosts: [DNSName: EdgeConfig]
    let edgeHostNames: [String: DNSName]
    let aliases: [DNSName: DNSName]
    /// Every name that exists below the apex, empty non-terminals included (for NODATA vs NXDOMAIN).
    let existing: Set<DNSName>
    let signer: ZoneSigner?

    /// A CNAME chain longer than this is a configuration loop; the answer stops there.
    static let maxChain = 8

    public init(config: CDNConfig, serial: UInt32, keys: ZoneKeys? = nil) throws {
        guard let apex = DNSName(config.domain), let routing = DNSName(config.routingHost),
              let service = routing.prepending("_tcp")?.prepending("_http"),
              let nameServer = apex.prepending("ns1"), let mailbox = apex.prepending("hostmaster") else {
            throw ServerError("\(config.sourcePath): domain: '\(config.domain)' is not a valid DNS name")
        }
        self.apex = apex
        routingName = routing
        serviceName = service
        self.nameServer = nameServer
        ttl = UInt32(max(0, config.ttl))
        soa = SOAData(primary: nameServer, mailbox: mailbox, serial: serial, refresh: 3600, retry: 600,
                      expire: 604_800, minimum: ttl)
        nameServerAddresses = Self.addressData(config.redirector.dns.host).map { [$0] } ?? []
        var hosts: [DNSName: EdgeConfig] = [:]
        var hostNames: [String: DNSName] = [:]
        for edge in config.edges {
            guard let name = apex.prepending(edge.name.lowercased()) else {
                throw ServerError("\(config.sourcePath): edge '\(edge.name)' does not make a valid DNS name")
            }
            hosts[name] = edge
            hostNames[edge.name] = name
        }
        edgeHosts = hosts
        edgeHostNames = hostNames
        var aliases: [DNSName: DNSName] = [:]
        for (owner, target) in config.aliases {
            guard let ownerName = DNSName(owner), let targetName = DNSName(target) else {
                throw ServerError("\(config.sourcePath): aliases: '\(owner): \(target)' is not a pair of DNS names")
            }
            aliases[ownerName] = targetName
        }
        self.aliases = aliases
        var existing: Set<DNSName> = []
        for name in [apex, nameServer, routing, service] + Array(hosts.keys) + Array(aliases.keys) {
            var cursor: DNSName? = name
            while let current = cursor, current.isSubdomain(of: apex) {
                existing.insert(current)
                cursor = current.parent
            }
        }
        self.existing = existing
        signer = keys.map { ZoneSigner(apex: apex, keys: $0) }
    }

    /// The answer to `query` from a client at `client` (its socket address). `route` turns a
    /// client address and known prefix length into a routing decision; it is asked only when the
    /// answer depends on the client. Returns the decision made, for the decision log. A signed
    /// zone signs the answer to a query with DO, valid in `window`.
    public func respond(to query: DNSQuery, from client: IPAddress, window: SignatureWindow? = nil,
                        route: (IPAddress, Int) -> RoutingDecision) -> (DNSResponse, RoutingDecision?) {
        var response = DNSResponse(id: query.id)
        response.recursionDesired = query.recursionDesired
        response.checkingDisabled = query.checkingDisabled
        response.question = query.question
        let subnet = query.edns?.clientSubnet
        response.edns = query.edns.map(responseEDNS(for:))
        let signing = signer != nil && query.edns?.dnssecOK == true
        let question = query.question
        guard question.dnsClass == DNSClass.internet || question.dnsClass == DNSClass.any, isAuthoritative(for: question.name),
              question.type != .axfr, question.type != .ixfr else {
            response.rcode = .refused  // never an open resolver, and no zone transfers
            return (response, nil)
        }
        response.authoritative = true
        var decision: RoutingDecision?
        func routeOnce() -> RoutingDecision {
            if let decision { return decision }
            // ECS with a zero source prefix means "do not use my network": route by the socket.
            let made = if let subnet, subnet.sourcePrefixLength > 0 {
                route(subnet.address, subnet.sourcePrefixLength)
            } else {
                route(client, client.bytes.count * 8)
            }
            decision = made
            return made
        }
        var owner = question.name
        for _ in 0...Self.maxChain {
            if let target = aliases[owner] {
                response.answers.append(ResourceRecord(name: owner, ttl: ttl, data: .cname(target)))
                guard question.type != .cname, isAuthoritative(for: target) else { break }
                owner = target
                continue
            }
            answer(owner, question.type, into: &response, denying: signing, route: routeOnce)
            break
        }
        if let subnet, subnet.sourcePrefixLength > 0, let decision {
            // The scope says how widely resolvers may share this answer (RFC 7871 §7.2.1).
            response.edns?.clientSubnet?.scopePrefixLength = decision.scopePrefixLength
        }
        if signing, let signer {
            sign(&response, with: signer, window: window ?? .current)
        }
        return (response, decision)
    }

    private func sign(_ response: inout DNSResponse, with signer: ZoneSigner, window: SignatureWindow) {
        do {
            response.answers = try signer.signed(response.answers, window: window)
            response.authority = try signer.signed(response.authority, window: window)
            response.additional = try signer.signed(response.additional, window: window)
        } catch {
            response.rcode = .serverFailure
            (response.answers, response.authority, response.additional) = ([], [], [])
        }
    }

    /// The types a name of the zone holds, for the NSEC that denies the others.
    func types(at owner: DNSName) -> [DNSRecordType] {
        if owner == apex { return [.soa, .ns, .dnskey] }
        if aliases[owner] != nil { return [.cname] }
        if owner == nameServer { return nameServerAddresses.map(\.type) }
        if let edge = edgeHosts[owner] { return Self.addressData(edge.listen.host).map { [$0.type] } ?? [] }
        if owner == routingName { return Array(Set(edgeHosts.values.compactMap { Self.addressData($0.listen.host)?.type })) }
        if owner == serviceName { return [.srv] }
        return []  // an empty non-terminal
    }

    /// What the response's OPT says back to a query's: our payload size, the subnet (scope set
    /// later), the DO bit.
    public func responseEDNS(for edns: EDNSQueryOptions) -> EDNSResponseOptions {
        EDNSResponseOptions(udpPayloadSize: DNSMessageWriter.ednsPayloadSize, clientSubnet: edns.clientSubnet, dnssecOK: edns.dnssecOK)
    }

    func isAuthoritative(for name: DNSName) -> Bool { name.isSubdomain(of: apex) || aliases[name] != nil }

    /// Fills in the records of `owner` (already past any CNAME), or the negative answer.
    private func answer(_ owner: DNSName, _ type: DNSRecordType, into response: inout DNSResponse, denying: Bool,
                        route: () -> RoutingDecision) {
        var records: [RecordData] = []
        if owner == apex {
            if type == .soa || type == .any { records.append(.soa(soa)) }
            if type == .dnskey || type == .any, let signer { records += signer.keys.dnskeys }
            if type == .ns || type == .any {
                records.append(.ns(nameServer))
                response.additional += nameServerAddresses.map { ResourceRecord(name: nameServer, ttl: ttl, data: $0) }
            }
        } else if owner == nameServer {
            records = nameServerAddresses.filter { matches($0, type) }
        } else if let edge = edgeHosts[owner] {
            records = Self.addressData(edge.listen.host).map { [$0] }?.filter { matches($0, type) } ?? []
        } else if owner == routingName, [.a, .aaaa, .any].contains(type) {
            let decision = route()
            guard !decision.edges.isEmpty else { response.rcode = .serverFailure; return }
            // The best edge of the asked family; ANY gets the best edge's own address.
            records = decision.edges.lazy.compactMap { Self.addressData($0.listen.host) }
                .first { type == .any || self.matches($0, type) }.map { [$0] } ?? []
        } else if owner == serviceName, type == .srv || type == .any {
            let decision = route()
            guard !decision.edges.isEmpty else { response.rcode = .serverFailure; return }
            for (rank, edge) in decision.edges.enumerated() {
                guard let host = edgeHostNames[edge.name] else { continue }
                records.append(.srv(priority: UInt16(rank), weight: 1, port: UInt16(edge.listen.port), target: host))
                if let address = Self.addressData(edge.listen.host) {
                    response.additional.append(ResourceRecord(name: host, ttl: ttl, data: address))
                }
            }
        } else if !existing.contains(owner) {
            response.rcode = .nameError
        }
        response.answers += records.map { ResourceRecord(name: owner, ttl: ttl, data: $0) }
        if records.isEmpty, response.rcode != .serverFailure {
            // NXDOMAIN or NODATA: the SOA tells resolvers how long to cache that (RFC 2308 §3).
            response.authority.append(ResourceRecord(name: apex, ttl: min(ttl, soa.minimum), data: .soa(soa)))
            if denying, let signer {
                let exists = response.rcode != .nameError
                response.rcode = .noError  // RFC 9824 §3: the NSEC says NXNAME instead
                response.authority.append(signer.denial(of: owner, types: exists ? types(at: owner) : nil, ttl: min(ttl, soa.minimum)))
            }
        }
    }

    private func matches(_ data: RecordData, _ type: DNSRecordType) -> Bool { type == .any || data.type == type }

    /// A or AAAA data for a listen host that is an IP address; nil for a host name.
    static func addressData(_ host: String) -> RecordData? {
        guard let address = IPAddress(host) else { return nil }
        return address.isIPv4 ? .a(address.bytes) : .aaaa(address.bytes)
    }
}
