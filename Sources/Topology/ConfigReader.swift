import Addressing
import Yams

/// Walks a YAML document while keeping the path of the field being read, so that every error
/// names the file and the field (`cdn.yaml: edges[1].listen: expected host:port, got 'x'`).
struct ConfigReader {
    let file: String
    let node: Node
    let path: String

    func fail(_ message: String) -> TopologyError {
        let line = node.mark.map { " (line \($0.line))" } ?? ""
        return TopologyError("\(file): \(path.isEmpty ? "top level" : path)\(line): \(message)")
    }

    private func child(_ key: String, _ value: Node) -> ConfigReader {
        ConfigReader(file: file, node: value, path: path.isEmpty ? key : "\(path).\(key)")
    }

    /// The mapping's keys, refusing any that are not known (a typo must not pass silently).
    func mapping(allowed: Set<String>) throws -> [String: ConfigReader] {
        guard let mapping = node.mapping else { throw fail("expected a mapping of keys") }
        var out: [String: ConfigReader] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw fail("a key is not text") }
            guard allowed.contains(name) else {
                throw child(name, value).fail("unknown key (known: \(allowed.sorted().joined(separator: ", ")))")
            }
            out[name] = child(name, value)
        }
        return out
    }

    /// A key of a mapping read with `mapping(allowed:)`, which must be present.
    func required(_ key: String, in keys: [String: ConfigReader]) throws -> ConfigReader {
        guard let value = keys[key] else { throw fail("missing required key '\(key)'") }
        return value
    }

    func sequence() throws -> [ConfigReader] {
        guard let sequence = node.sequence else { throw fail("expected a list") }
        return sequence.enumerated().map { ConfigReader(file: file, node: $0.element, path: "\(path)[\($0.offset)]") }
    }

    func string() throws -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else { throw fail("expected text") }
        return scalar.string
    }

    func number() throws -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string), value.isFinite else {
            throw fail("expected a number")
        }
        return value
    }

    func wholeNumber() throws -> Int {
        guard let value = Int(exactly: try number()), value >= 0 else { throw fail("expected a whole number, zero or more") }
        return value
    }

    func nonNegative() throws -> Double {
        let value = try number()
        guard value >= 0 else { throw fail("expected zero or more, got \(value)") }
        return value
    }

    func positive() throws -> Double {
        let value = try number()
        guard value > 0 else { throw fail("expected a number above zero, got \(value)") }
        return value
    }

    func listen() throws -> ListenAddress {
        let text = try string()
        guard let address = ListenAddress(text) else { throw fail("expected host:port, got '\(text)'") }
        return address
    }

    func location() throws -> GeoPoint {
        let keys = try mapping(allowed: ["lat", "lon"])
        guard let lat = keys["lat"], let lon = keys["lon"] else { throw fail("needs both lat and lon") }
        let latitude = try lat.number(), longitude = try lon.number()
        guard (-90...90).contains(latitude) else { throw lat.fail("latitude must be within -90...90") }
        guard (-180...180).contains(longitude) else { throw lon.fail("longitude must be within -180...180") }
        return GeoPoint(latitude: latitude, longitude: longitude)
    }

    /// A size in bytes: a plain number or one with a unit (`512MB`, `2GiB`).
    func byteSize(allowZero: Bool = false) throws -> Int64 {
        let text = try string()
        guard let value = ByteSize.parse(text), value > 0 || allowZero else {
            throw fail("expected a size such as 512MB or 2GiB, got '\(text)'")
        }
        return value
    }

    func link() throws -> LinkSpec {
        let keys = try mapping(allowed: ["delay_ms", "rate_mbps", "trace"])
        var link = LinkSpec()
        if let delay = keys["delay_ms"] {
            let ms = try delay.number()
            guard ms >= 0 else { throw delay.fail("a delay cannot be negative") }
            link.delay = ms / 1000
        }
        if let rate = keys["rate_mbps"] { link.rateBitsPerSecond = try rate.positive() * 1_000_000 }
        if let trace = keys["trace"] { link.tracePath = try trace.string() }
        if link.rateBitsPerSecond != nil, link.tracePath != nil {
            throw fail("give either rate_mbps or trace, not both")
        }
        return link
    }
}
