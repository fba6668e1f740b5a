import Player
import ABR
import Addressing
import ArgumentParser
import Segmenter
import ServerSupport
import Topology

// Option types parsed where they are read, so that a bad value is refused before any work.

extension NetworkModelName: ExpressibleByArgument {}

extension CMCDMode: ExpressibleByArgument {}

extension AccessLogFormat: ExpressibleByArgument {}

extension LogDestination: ExpressibleByArgument {
    public init?(argument: String) { self.init(argument) }
    public var defaultValueDescription: String { description }
}

/// A size such as 256MB or 1GiB.
struct ByteCount: ExpressibleByArgument {
    let bytes: Int64
    let text: String

    init?(argument: String) {
        guard let bytes = ByteSize.parse(argument) else { return nil }
        self.bytes = bytes
        text = argument
    }

    var defaultValueDescription: String { text }
}

/// WIDTHxHEIGHT, as the sample movie takes it.
struct PictureSize: CustomStringConvertible {
    let width: Int
    let height: Int

    static let fullHD = PictureSize(width: 1920, height: 1080)

    init(width: Int, height: Int) {
        (self.width, self.height) = (width, height)
    }

    init(parsing text: String) throws {
        (width, height) = try SampleMovie.parseSize(text)
    }

    var description: String { "\(width)x\(height)" }
}

/// IPv4-ADDRESS:PORT of a DNS server.
struct DNSServerAddress {
    let host: String
    let port: Int

    init(parsing text: String) throws {
        guard let address = ListenAddress(text), address.port > 0, IPAddress(address.host)?.isIPv4 == true else {
            throw ValidationError("expected IPv4-ADDRESS:PORT, e.g. 127.0.0.1:5353")
        }
        (host, port) = (address.host, address.port)
    }
}
