import Foundation

/// A parsed curl response: status, headers (lower-case names), body.
public struct CurlResponse {
    public let status: Int
    public let headers: [String: String]
    public let body: Data
    public let seconds: Double
}

/// Runs curl against a URL, giving up after `maxTime` seconds; `arguments` go before it. Safe
/// to call from several threads at once (each call has a folder of its own).
public func curl(_ url: String, _ arguments: [String] = [], maxTime: Double = 30) throws -> CurlResponse {
    let folder = try Paths.temporaryFolder("curl-\(UUID().uuidString.prefix(8))")
    let headerFile = folder.appendingPathComponent("h").path, bodyFile = folder.appendingPathComponent("b").path
    let run = try runProcess("/usr/bin/curl", ["-s", "--max-time", "\(maxTime)", "-D", headerFile, "-o", bodyFile,
                                               "-w", "%{time_total}"] + arguments + [url])
    let headText = (try? String(contentsOfFile: headerFile, encoding: .utf8)) ?? ""
    // With redirects or 100-continue there can be several heads; the last one counts.
    let lastHead = headText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
    let lines = lastHead.components(separatedBy: "\r\n")
    let status = lines.first.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    var headers: [String: String] = [:]
    for line in lines.dropFirst() {
        guard let colon = line.firstIndex(of: ":") else { continue }
        headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    return CurlResponse(status: status, headers: headers,
                        body: FileManager.default.contents(atPath: bodyFile) ?? Data(), seconds: Double(run.stdout) ?? 0)
}
