import Addressing

/// The EDNS Client Subnet option (RFC 7871): the network a resolver's client is in, and in a
/// response, how much of it the answer depends on (the scope).
public struct ClientSubnet: Sendable, Hashable {
    public static let optionCode: UInt16 = 8

    public var sourcePrefixLength: Int
    public var scopePrefixLength: Int
    /// The client network, every bit after the source prefix cleared.
    public var address: IPAddress

    public init(address: IPAddress, sourcePrefixLength: Int, scopePrefixLength: Int = 0) {
        self.address = address.masked(to: sourcePrefixLength)
        self.sourcePrefixLength = sourcePrefixLength
        self.scopePrefixLength = scopePrefixLength
    }

    var family: UInt16 { address.isIPv4 ? 1 : 2 }

    /// Decodes the option's data, refusing what RFC 7871 §7.1.1 says to answer with FORMERR: an
    /// unknown family, a prefix longer than the address, too few or too many address octets,
    /// bits set past the prefix, a non-zero scope in a query.
    static func parse(_ data: ArraySlice<UInt8>) -> ClientSubnet? {
        guard data.count >= 4 else { return nil }
        let base = data.startIndex
        let family = UInt16(data[base]) << 8 | UInt16(data[base + 1])
        let source = Int(data[base + 2])
        let scope = Int(data[base + 3])
        let width: Int
        switch family {
        case 1: width = 4
        case 2: width = 16
        default: return nil
        }
        guard source <= width * 8, scope == 0 else { return nil }
        let octets = Array(data[(base + 4)...])
        guard octets.count == (source + 7) / 8 else { return nil }
        let full = octets + [UInt8](repeating: 0, count: width - octets.count)
        guard let address = IPAddress(bytes: full), address.isIPv4 == (family == 1),
              address.masked(to: source) == address else { return nil }
        return ClientSubnet(address: address, sourcePrefixLength: source)
    }

    /// The option's data for a response: family, both prefix lengths, the address cut to the
    /// source prefix.
    var encoded: [UInt8] {
        let octets = (sourcePrefixLength + 7) / 8
        return [UInt8(family >> 8), UInt8(family & 0xff), UInt8(sourcePrefixLength), UInt8(scopePrefixLength)]
            + address.bytes.prefix(octets)
    }
}
