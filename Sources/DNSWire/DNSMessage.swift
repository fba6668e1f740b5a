/// Record types this server knows by name; any other type is carried as its number.
public struct DNSRecordType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let a = DNSRecordType(rawValue: 1)
    public static let ns = DNSRecordType(rawValue: 2)
    public static let cname = DNSRecordType(rawValue: 5)
    public static let soa = DNSRecordType(rawValue: 6)
    public static let aaaa = DNSRecordType(rawValue: 28)
    public static let srv = DNSRecordType(rawValue: 33)
    public static let opt = DNSRecordType(rawValue: 41)
    public static let ds = DNSRecordType(rawValue: 43)
    public static let rrsig = DNSRecordType(rawValue: 46)
    public static let nsec = DNSRecordType(rawValue: 47)
    public static let dnskey = DNSRecordType(rawValue: 48)
    /// The pseudo-type compact denial (RFC 9824) lists at a name that does not exist.
    public static let nxname = DNSRecordType(rawValue: 128)
    public static let any = DNSRecordType(rawValue: 255)
    /// Zone transfers (RFC 1995, 5936): an authoritative server that offers none refuses them.
    public static let ixfr = DNSRecordType(rawValue: 251)
    public static let axfr = DNSRecordType(rawValue: 252)

    public var description: String {
        switch self {
        case .a: "A"
        case .ns: "NS"
        case .cname: "CNAME"
        case .soa: "SOA"
        case .aaaa: "AAAA"
        case .srv: "SRV"
        case .opt: "OPT"
        case .ds: "DS"
        case .rrsig: "RRSIG"
        case .nsec: "NSEC"
        case .dnskey: "DNSKEY"
        case .nxname: "NXNAME"
        case .any: "ANY"
        default: "TYPE\(rawValue)"
        }
    }
}

public enum DNSClass {
    public static let internet: UInt16 = 1
    public static let any: UInt16 = 255
}

/// Response codes, including the extended ones EDNS carries in its upper bits (RFC 6891).
public struct DNSResponseCode: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let noError = DNSResponseCode(rawValue: 0)
    public static let formatError = DNSResponseCode(rawValue: 1)
    public static let serverFailure = DNSResponseCode(rawValue: 2)
    public static let nameError = DNSResponseCode(rawValue: 3)
    public static let notImplemented = DNSResponseCode(rawValue: 4)
    public static let refused = DNSResponseCode(rawValue: 5)
    public static let badVersion = DNSResponseCode(rawValue: 16)

    public var description: String {
        switch self {
        case .noError: "NOERROR"
        case .formatError: "FORMERR"
        case .serverFailure: "SERVFAIL"
        case .nameError: "NXDOMAIN"
        case .notImplemented: "NOTIMP"
        case .refused: "REFUSED"
        case .badVersion: "BADVERS"
        default: "RCODE\(rawValue)"
        }
    }
}

public struct DNSQuestion: Sendable, Hashable {
    /// The name exactly as asked, case included: the answer echoes it (dig and resolvers that
    /// use 0x20 randomisation check it).
    public var name: DNSName
    public var type: DNSRecordType
    public var dnsClass: UInt16

    public init(name: DNSName, type: DNSRecordType, dnsClass: UInt16) {
        self.name = name
        self.type = type
        self.dnsClass = dnsClass
    }
}

public struct SOAData: Sendable, Hashable {
    public var primary: DNSName
    public var mailbox: DNSName
    public var serial: UInt32
    public var refresh: UInt32
    public var retry: UInt32
    public var expire: UInt32
    /// The negative-caching TTL (RFC 2308).
    public var minimum: UInt32

    public init(primary: DNSName, mailbox: DNSName, serial: UInt32, refresh: UInt32, retry: UInt32,
                expire: UInt32, minimum: UInt32) {
        self.primary = primary
        self.mailbox = mailbox
        self.serial = serial
        self.refresh = refresh
        self.retry = retry
        self.expire = expire
        self.minimum = minimum
    }
}

public enum RecordData: Sendable, Hashable {
    case a([UInt8])
    case aaaa([UInt8])
    case ns(DNSName)
    case cname(DNSName)
    case soa(SOAData)
    case srv(priority: UInt16, weight: UInt16, port: UInt16, target: DNSName)
    /// A zone's public key (RFC 4034 §2); the protocol field is always 3.
    case dnskey(flags: UInt16, algorithm: UInt8, publicKey: [UInt8])
    case rrsig(SignatureData)
    /// The next name and the types present at the owner (RFC 4034 §4).
    case nsec(next: DNSName, types: [DNSRecordType])
    case ds(keyTag: UInt16, algorithm: UInt8, digestType: UInt8, digest: [UInt8])

    public var type: DNSRecordType {
        switch self {
        case .a: .a
        case .aaaa: .aaaa
        case .ns: .ns
        case .cname: .cname
        case .soa: .soa
        case .srv: .srv
        case .dnskey: .dnskey
        case .rrsig: .rrsig
        case .nsec: .nsec
        case .ds: .ds
        }
    }
}

/// An RRSIG's fields (RFC 4034 §3.1). Times are seconds since 1970, modulo 2^32.
public struct SignatureData: Sendable, Hashable {
    public var typeCovered: DNSRecordType
    public var algorithm: UInt8
    public var labels: UInt8
    public var originalTTL: UInt32
    public var expiration: UInt32
    public var inception: UInt32
    public var keyTag: UInt16
    public var signer: DNSName
    public var signature: [UInt8]

    public init(typeCovered: DNSRecordType, algorithm: UInt8, labels: UInt8, originalTTL: UInt32, expiration: UInt32,
                inception: UInt32, keyTag: UInt16, signer: DNSName, signature: [UInt8] = []) {
        self.typeCovered = typeCovered
        self.algorithm = algorithm
        self.labels = labels
        self.originalTTL = originalTTL
        self.expiration = expiration
        self.inception = inception
        self.keyTag = keyTag
        self.signer = signer
        self.signature = signature
    }
}

public struct ResourceRecord: Sendable, Hashable {
    public var name: DNSName
    public var ttl: UInt32
    public var data: RecordData

    public init(name: DNSName, ttl: UInt32, data: RecordData) {
        self.name = name
        self.ttl = ttl
        self.data = data
    }
}

/// EDNS(0) as a query carries it in its OPT record (RFC 6891).
public struct EDNSQueryOptions: Sendable, Hashable {
    public var udpPayloadSize: UInt16
    public var version: UInt8
    public var dnssecOK: Bool
    public var clientSubnet: ClientSubnet?
    public var cookie: DNSCookie? = nil
}

/// A DNS cookie (RFC 7873): the client's 8 bytes and, once a server has given it one, that
/// server's 8 to 32.
public struct DNSCookie: Sendable, Hashable {
    public static let optionCode: UInt16 = 10
    public var client: [UInt8]
    public var server: [UInt8]?

    public init(client: [UInt8], server: [UInt8]? = nil) {
        self.client = client
        self.server = server
    }

    /// The option's value; nil when its length is not one RFC 7873 §4 allows (8, or 16 to 40).
    init?(option value: ArraySlice<UInt8>) {
        guard value.count == 8 || (16...40).contains(value.count) else { return nil }
        client = Array(value.prefix(8))
        server = value.count > 8 ? Array(value.dropFirst(8)) : nil
    }

    public var optionValue: [UInt8] { client + (server ?? []) }
}

/// A parsed query: everything the responder needs, nothing it does not.
public struct DNSQuery: Sendable {
    public var id: UInt16
    public var recursionDesired: Bool
    public var checkingDisabled: Bool
    public var question: DNSQuestion
    public var edns: EDNSQueryOptions?
}

/// What goes back: header bits, the echoed question, the three record sections and EDNS.
public struct DNSResponse: Sendable {
    public var id: UInt16
    /// Echoed from the query (RFC 1035 §4.1.1): a NOTIMP for NOTIFY or UPDATE names the opcode
    /// it refuses, or the asker (dig, a primary's NOTIFY) discards it as a mismatch.
    public var opcode: UInt16 = 0
    public var recursionDesired = false
    public var checkingDisabled = false
    public var authoritative = false
    public var rcode = DNSResponseCode.noError
    public var question: DNSQuestion?
    public var answers: [ResourceRecord] = []
    public var authority: [ResourceRecord] = []
    public var additional: [ResourceRecord] = []
    /// Present when the query used EDNS: our payload size and the client subnet echo.
    public var edns: EDNSResponseOptions?

    public init(id: UInt16) { self.id = id }
}

public struct EDNSResponseOptions: Sendable {
    public var udpPayloadSize: UInt16
    public var clientSubnet: ClientSubnet?
    /// The DO bit, copied from the query (RFC 3225 §3).
    public var dnssecOK = false
    /// The cookie a response carries (the client's, then the server's).
    public var cookie: DNSCookie?

    public init(udpPayloadSize: UInt16, clientSubnet: ClientSubnet? = nil, dnssecOK: Bool = false, cookie: DNSCookie? = nil) {
        self.udpPayloadSize = udpPayloadSize
        self.clientSubnet = clientSubnet
        self.dnssecOK = dnssecOK
        self.cookie = cookie
    }
}
