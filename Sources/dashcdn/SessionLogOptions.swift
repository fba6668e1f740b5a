import ABR
import ArgumentParser
import Player

/// `--csv`, `--jsonl` and `--plot`: one session's log for machines and for people, shared by
/// `play` and `simulate`.
struct SessionLogOptions: ParsableArguments {
    @Option(help: "Write one session's per-segment records as CSV.")
    var csv: String?

    @Option(help: "Write one session's per-segment records and its summary as JSON lines.")
    var jsonl: String?

    @Option(help: "Draw one session's buffer, bitrate and throughput over time to this SVG file.")
    var plot: String?

    var isEmpty: Bool { csv == nil && jsonl == nil && plot == nil }
    var files: SessionLogFiles { SessionLogFiles(csv: csv, jsonl: jsonl, plot: plot) }
}
