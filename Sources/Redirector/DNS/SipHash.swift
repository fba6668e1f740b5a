/// SipHash-2-4 (Aumasson and Bernstein, 2012): the keyed hash RFC 9018 names for server cookies,
/// so that servers of one anycast address, sharing a secret, accept each other's cookies.
enum SipHash24 {
    /// The 64-bit hash of `message` under a 16-byte `key`, as the reference code returns it.
    static func hash(key: [UInt8], message: [UInt8]) -> UInt64 {
        precondition(key.count == 16, "SipHash takes a 128-bit key")
        let k0 = littleEndian(key, at: 0), k1 = littleEndian(key, at: 8)
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ k0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ k1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ k0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ k1
        func round() {
            v0 &+= v1; v1 = rotate(v1, 13); v1 ^= v0; v0 = rotate(v0, 32)
            v2 &+= v3; v3 = rotate(v3, 16); v3 ^= v2
            v0 &+= v3; v3 = rotate(v3, 21); v3 ^= v0
            v2 &+= v1; v1 = rotate(v1, 17); v1 ^= v2; v2 = rotate(v2, 32)
        }
        let whole = message.count - message.count % 8
        for offset in stride(from: 0, to: whole, by: 8) {
            let word = littleEndian(message, at: offset)
            v3 ^= word
            round(); round()
            v0 ^= word
        }
        var last = UInt64(message.count & 0xFF) << 56
        for index in 0..<(message.count % 8) { last |= UInt64(message[whole + index]) << (8 * UInt64(index)) }
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xFF
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }

    private static func rotate(_ value: UInt64, _ bits: UInt64) -> UInt64 { value << bits | value >> (64 - bits) }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int) -> UInt64 {
        (0..<8).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * UInt64($1)) }
    }
}
