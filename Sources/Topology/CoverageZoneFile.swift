import Addressing
import Foundation

/// Apache Traffic Control's Coverage Zone File (JSON): zones by name, each with IPv4 `network`
/// and IPv6 `network6` CIDR lists and optional `coordinates`.
enum CoverageZoneFile {
    private struct File: Decodable {
        let coverageZones: [String: Zone]
    }
    private struct Zone: Decodable {
        let network: [String]?
        let network6: [String]?
        let coordinates: Coordinates?
    }
    private struct Coordinates: Decodable {
        let latitude: Double
        let longitude: Double
    }

    static func load(path: String) throws -> [CoverageZone] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TopologyError("\(path): cannot read the coverage zone file")
        }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: data)
        } catch {
            throw TopologyError("\(path): not a Traffic Control coverage zone file ({\"coverageZones\": {name: {network, network6, coordinates}}})")
        }
        return try file.coverageZones.keys.sorted().map { name in
            let zone = file.coverageZones[name]!
            guard let coordinates = zone.coordinates else {
                throw TopologyError("\(path): coverageZones.\(name): no coordinates, so no nearest edge can be chosen")
            }
            let networks = try ((zone.network ?? []) + (zone.network6 ?? [])).map { text in
                guard let network = IPNetwork(text) else { throw TopologyError("\(path): coverageZones.\(name): bad CIDR '\(text)'") }
                return network
            }
            return CoverageZone(name: name, networks: networks,
                                location: GeoPoint(latitude: coordinates.latitude, longitude: coordinates.longitude),
                                link: LinkSpec())
        }
    }
}
