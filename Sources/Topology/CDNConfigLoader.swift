import Addressing
import Foundation
import ServerSupport
import Yams

extension CDNConfig {
    /// Reads and validates a configuration file. Relative paths inside it (origin root, cache
    /// folders, traces, coverage zone files) resolve against the file's own folder.
    public static func load(path: String) throws -> CDNConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TopologyError("\(path): cannot read the configuration file")
        }
        guard let text = String(data: data, encoding: .utf8) else { throw TopologyError("\(path): not UTF-8 text") }
        return try parse(yaml: text, file: path)
    }

    public static func parse(yaml text: String, file: String) throws -> CDNConfig {
        let node: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else { throw TopologyError("\(file): the file is empty") }
            node = composed
        } catch let error as TopologyError {
            throw error
        } catch {
            throw TopologyError("\(file): not valid YAML: \(error)")
        }
        // Resolve against an absolute folder: standardizing `CDNConfig/..` alone would give `/`.
        let folder = (file as NSString).deletingLastPathComponent
        let absolute = folder.hasPrefix("/") ? folder : FileManager.default.currentDirectoryPath + "/" + folder
        return try ConfigParser(folder: absolute)
            .config(ConfigReader(file: file, node: node, path: ""), file: file)
    }
}

/// Turns the YAML tree into a `CDNConfig`, one section at a time.
private struct ConfigParser {
    let folder: String

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : URL(fileURLWithPath: folder).appendingPathComponent(path).standardized.path
    }

    func config(_ reader: ConfigReader, file: String) throws -> CDNConfig {
        let keys = try reader.mapping(allowed: ["domain", "routing_name", "ttl", "aliases", "origin", "redirector",
                                                "edges", "coverage", "coverage_zone_file", "default_location", "limits"])
        func required(_ key: String) throws -> ConfigReader { try reader.required(key, in: keys) }
        let domain = try required("domain").string().lowercased()
        let ttl = try keys["ttl"]?.wholeNumber() ?? 20
        var aliases: [String: String] = [:]
        if let aliasReader = keys["aliases"] {
            guard let mapping = aliasReader.node.mapping else { throw aliasReader.fail("expected name: target pairs") }
            for (key, value) in mapping {
                guard let name = key.string, let target = value.string else { throw aliasReader.fail("expected name: target pairs") }
                aliases[name.lowercased()] = target.lowercased()
            }
        }
        let edges = try required("edges").sequence().map(edge)
        var coverage = try keys["coverage"]?.sequence().map(zone) ?? []
        if let czf = keys["coverage_zone_file"] {
            coverage += try CoverageZoneFile.load(path: resolve(czf.string()))
        }
        var config = CDNConfig(
            domain: domain,
            routingName: try keys["routing_name"]?.string().lowercased() ?? "video",
            ttl: ttl,
            aliases: aliases,
            origin: try origin(required("origin")),
            redirector: try redirector(keys["redirector"]),
            edges: edges,
            coverage: coverage,
            defaultLocation: try keys["default_location"]?.location() ?? GeoPoint(latitude: 0, longitude: 0),
            limits: try limits(keys["limits"]),
            sourcePath: file)
        try validate(&config, reader: reader)
        return config
    }

    func origin(_ reader: ConfigReader) throws -> OriginConfig {
        let keys = try reader.mapping(allowed: ["listen", "root"])
        return OriginConfig(listen: try reader.required("listen", in: keys).listen(), root: resolve(try keys["root"]?.string() ?? "."))
    }

    func redirector(_ reader: ConfigReader?) throws -> RedirectorConfig {
        let keys = try reader?.mapping(allowed: ["dns", "http", "health_interval_ms", "health_timeout_ms", "affinity_km",
                                                 "rate_limit", "decision_log", "dnssec_keys", "cookies"]) ?? [:]
        var config = RedirectorConfig(dns: try keys["dns"]?.listen() ?? ListenAddress(host: "127.0.0.1", port: 5353),
                                      http: try keys["http"]?.listen() ?? ListenAddress(host: "127.0.0.1", port: 8053))
        if let value = keys["health_interval_ms"] { config.healthInterval = try value.positive() / 1000 }
        if let value = keys["health_timeout_ms"] { config.healthTimeout = try value.positive() / 1000 }
        if let value = keys["affinity_km"] { config.affinityKm = try value.nonNegative() }
        if let value = keys["decision_log"] {
            config.decisionLog = LogDestination(try value.string(), resolve: resolve)
        }
        if let value = keys["dnssec_keys"] { config.dnssecKeys = resolve(try value.string()) }
        if let value = keys["cookies"] {
            let text = try value.string()
            guard let policy = CookiePolicy(rawValue: text) else {
                throw value.fail("'\(text)' is not one of \(CookiePolicy.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            config.cookies = policy
        }
        if let limit = keys["rate_limit"] {
            let limitKeys = try limit.mapping(allowed: ["responses_per_second", "slip"])
            if let value = limitKeys["responses_per_second"] { config.rateLimitPerSecond = try value.nonNegative() }
            if let value = limitKeys["slip"] { config.rateLimitSlip = try value.wholeNumber() }
        }
        return config
    }

    func edge(_ reader: ConfigReader) throws -> EdgeConfig {
        let keys = try reader.mapping(allowed: ["name", "listen", "location", "capacity_mbps", "parent",
                                                "cache_dir", "cache_max_bytes", "link"])
        func required(_ key: String) throws -> ConfigReader { try reader.required(key, in: keys) }
        let name = try required("name").string()
        guard name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw keys["name"]!.fail("use letters, digits, - and _ only (the name appears in paths and DNS)")
        }
        return EdgeConfig(
            name: name,
            listen: try required("listen").listen(),
            location: try required("location").location(),
            capacityMbps: try keys["capacity_mbps"]?.positive() ?? 1000,
            parent: EdgeParent(try keys["parent"]?.string() ?? "origin"),
            cacheFolder: resolve(try keys["cache_dir"]?.string() ?? "../.cache/\(name)"),
            cacheMaxBytes: try keys["cache_max_bytes"]?.byteSize() ?? 1 << 30,
            link: try keys["link"]?.link() ?? LinkSpec())
    }

    func zone(_ reader: ConfigReader) throws -> CoverageZone {
        let keys = try reader.mapping(allowed: ["name", "networks", "location", "link"])
        guard let name = keys["name"], let networks = keys["networks"], let location = keys["location"] else {
            throw reader.fail("a coverage zone needs name, networks and location")
        }
        let parsed = try networks.sequence().map { item in
            let text = try item.string()
            guard let network = IPNetwork(text) else { throw item.fail("expected a CIDR such as 127.0.10.0/24, got '\(text)'") }
            return network
        }
        guard !parsed.isEmpty else { throw networks.fail("a zone needs at least one network") }
        return CoverageZone(name: try name.string(), networks: parsed, location: try location.location(),
                            link: try keys["link"]?.link() ?? LinkSpec())
    }

    func limits(_ reader: ConfigReader?) throws -> ServerLimits {
        var limits = ServerLimits()
        guard let reader else { return limits }
        let keys = try reader.mapping(allowed: ["max_connections", "max_connections_per_client", "header_timeout_s", "idle_timeout_s",
                                                "send_timeout_s", "access_log", "access_log_format", "memory_cache_bytes"])
        if let value = keys["max_connections"] { limits.maxConnections = max(1, try value.wholeNumber()) }
        if let value = keys["max_connections_per_client"] { limits.maxConnectionsPerClient = max(1, try value.wholeNumber()) }
        if let value = keys["header_timeout_s"] { limits.headerTimeout = try value.positive() }
        if let value = keys["idle_timeout_s"] { limits.idleTimeout = try value.positive() }
        if let value = keys["send_timeout_s"] { limits.sendTimeout = try value.positive() }
        if let value = keys["memory_cache_bytes"] {
            limits.memoryCacheBytes = try value.byteSize(allowZero: true)
        }
        if let value = keys["access_log"] {
            limits.accessLog = LogDestination(try value.string(), resolve: resolve)
        }
        if let value = keys["access_log_format"] {
            let text = try value.string()
            guard let format = AccessLogFormat(rawValue: text) else {
                throw value.fail("expected \(AccessLogFormat.allCases.map(\.rawValue).joined(separator: " or ")), got '\(text)'")
            }
            limits.accessLogFormat = format
        }
        return limits
    }

    /// Cross-field rules: unique names and ports, parents that exist and form no loop.
    func validate(_ config: inout CDNConfig, reader: ConfigReader) throws {
        guard !config.edges.isEmpty else { throw reader.fail("edges: at least one edge is needed") }
        var names = Set<String>()
        for (index, edge) in config.edges.enumerated() where !names.insert(edge.name).inserted || edge.name == "origin" {
            throw TopologyError("\(config.sourcePath): edges[\(index)].name: '\(edge.name)' is used twice or reserved")
        }
        // Port 0 (a free port, chosen when the CDN starts) may repeat.
        var listens: [ListenAddress: String] = [config.origin.listen: "origin.listen"]
        for (index, edge) in config.edges.enumerated() {
            if edge.listen.port != 0, let other = listens[edge.listen] {
                throw TopologyError("\(config.sourcePath): edges[\(index)].listen: \(edge.listen) is already taken by \(other)")
            }
            listens[edge.listen] = "edges[\(index)].listen"
            if case .edge(let name) = edge.parent, !names.contains(name) {
                throw TopologyError("\(config.sourcePath): edges[\(index)].parent: no edge named '\(name)'")
            }
        }
        for (index, edge) in config.edges.enumerated() {
            var seen: Set<String> = [edge.name]
            var parent = edge.parent
            while case .edge(let name) = parent {
                guard seen.insert(name).inserted else {
                    throw TopologyError("\(config.sourcePath): edges[\(index)].parent: parents form a loop through '\(name)'")
                }
                parent = config.edge(named: name)!.parent
            }
        }
        var zoneNames = Set<String>()
        for (index, zone) in config.coverage.enumerated() where !zoneNames.insert(zone.name).inserted {
            throw TopologyError("\(config.sourcePath): coverage[\(index)].name: '\(zone.name)' is used twice")
        }
    }
}
