import ArgumentParser
import Segmenter

struct HLSCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hls",
        abstract: "Write the HLS playlists of an existing encode from its MPD and segments.",
        discussion: """
        For ladders encoded before dashcdn wrote HLS: media and I-frame playlists into each representation's folder, then Manifests/<title>.m3u8, the same as `dashcdn encode` writes them, each replaced in one rename. The segments are read for their sizes (BANDWIDTH) and first samples (the I-frame ranges); nothing else is touched.

        Example:
          dashcdn hls Manifests/sample.mpd
        """)

    @Argument(help: "Manifests/<title>.mpd of a dashcdn encode.")
    var manifest: String

    func run() throws {
        let result = try PlaylistBackfill.run(manifest: manifest)
        for file in result.written { say("hls: wrote \(file)") }
        result.notices.forEach(note)
    }
}
