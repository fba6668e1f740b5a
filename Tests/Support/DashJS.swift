import Foundation

/// dash.js (../shared/vendor/dashjs) in headless Chromium, playing an MPD that a plain static
/// server (`python3 -m http.server`) serves from a folder: `scripts/dashjs-play`.
public struct DashJSPlayback: Decodable {
    public let ended: Bool
    public let started: Bool?
    public let errors: [String]
    public let duration: Double?
    public let currentTime: Double?
    public let stalls: Int?
    public let qualities: [Int]?
    public let audioTracks: [String]?
    public let textTracks: [String]?

    /// Chromium is what scripts/bootstrap installs; a machine without it skips with this reason.
    public static var unavailable: String? {
        let found = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].contains { FileManager.default.isExecutableFile(atPath: $0) }
        return found ? nil : "chromium is not installed (scripts/bootstrap installs it): dash.js cannot be run"
    }

    /// Plays `mpd` (a path under `root`) to its end or until `timeout` seconds pass.
    public static func play(root: URL, mpd: String, timeout: Double = 90) throws -> (DashJSPlayback, String) {
        let script = Paths.repository.appendingPathComponent("scripts/dashjs-play").path
        let dashjs = Paths.shared.appendingPathComponent("vendor/dashjs/dash.all.min.js").path
        let run = try runProcess("python3", [script, root.path, mpd, "--timeout", "\(Int(timeout))", "--dashjs", dashjs],
                                 timeout: timeout + 30)
        guard let line = run.stdout.split(separator: "\n").last,
              let result = try? JSONDecoder().decode(DashJSPlayback.self, from: Data(line.utf8)) else {
            throw TestFailure("dashjs-play gave no result (exit \(run.status)): \(run.stdout) \(run.stderr)")
        }
        return (result, String(line))
    }
}
