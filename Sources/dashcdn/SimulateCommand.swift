import ABR
import ArgumentParser
import Foundation
import Player
import Traces

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Replay bandwidth traces through ABR rules and score them by QoE_lin.",
        discussion: """
        Runs the live player's rule code over many traces at once (every core) and prints one row per rule. Given one trace file, or --trace NAME, it prints that session segment by segment as the live player would, and --plot draws it.

        Video: a Sabre movie JSON, or an MPD written by `dashcdn encode` (its segments.json is read). Traces: a folder or a file, in Pensieve (`time_s Mbps`), Mahimahi or Sabre JSON format.

        Examples:
          dashcdn simulate --video ../shared/data/video/pensieve-48x4s.json \\
            --traces ../shared/data/traces/train --abr all
          dashcdn simulate --video Manifests/sample.mpd --traces ../shared/data/traces/train \\
            --trace trace_1.txt --abr bola --plot bola.svg
        """)

    @Option(help: "Sabre movie JSON, or an MPD with its segments.json beside it.")
    var video: String

    @Option(help: "A folder of traces, or one trace file.")
    var traces: String

    @Option(help: "throughput, bba, bola, robustmpc, dynamic, default, several separated by commas, or all.",
            transform: RuleName.parse)
    var abr: [RuleName] = [.default]

    @Option(help: "pensieve (80 ms per request, the research reference) or http (per-request latency and TCP slow start).")
    var networkModel = NetworkModelName.pensieve

    @Option(help: "Play only this trace (a file name within --traces) and log it segment by segment.")
    var trace: String?

    @Option(help: "Write per-trace and aggregate results as JSON to this file.")
    var json: String?

    @Option(help: ArgumentHelp("The default rule's settings, name=value,... (\(ScenarioMPCRule.Parameters.settingNames.joined(separator: ", "))), for trying variants.",
                               valueName: "settings"),
            transform: ScenarioMPCRule.Parameters.init(parsing:))
    var defaultRule = ScenarioMPCRule.Parameters()

    @Flag(help: "Give up downloads that would run the buffer dry and fetch the segment lower, as the live player does (the reference lets every download finish).")
    var abandon = false

    @Flag(help: "Also find the offline optimum (each trace known in advance) and the share of it each rule reached.")
    var optimum = false

    @Option(help: "Bucket size in seconds of the optimum's search: smaller is closer to the true optimum and much slower (0.5 takes about 20 times as long as 2).")
    var optimumResolution = OfflineOptimum.defaultResolution

    @Option(help: "Threads the sessions run on (default: one per core).")
    var threads: Int?

    @OptionGroup var log: SessionLogOptions

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1") }
        if !(optimumResolution > 0) { throw ValidationError("--optimum-resolution must be a positive number of seconds") }
        if abr.count > 1, !log.isEmpty {
            throw ValidationError("--plot, --csv and --jsonl describe one session: name one rule with --abr")
        }
    }

    func run() throws {
        let table = try VideoTable.load(path: video)
        var loaded = try TraceLoader.load(path: traces)
        if let trace {
            guard let match = loaded.first(where: { $0.name == trace }) else {
                throw PlayerError("no trace named '\(trace)' in \(traces)")
            }
            loaded = [match]
        }
        var settings = SessionSettings()
        settings.abandonment = abandon
        let simulation = Simulation(video: table, traces: loaded, model: networkModel, settings: settings,
                                    defaultRule: defaultRule)
        if loaded.count == 1 {
            try playOne(simulation, rules: abr)
        } else {
            try runAll(simulation, rules: abr)
        }
    }

    private func playOne(_ simulation: Simulation, rules: [RuleName]) throws {
        let trace = simulation.traces[0]
        let files = log.files
        var results: [RuleResult] = []
        for rule in rules {
            print("# \(rule.rawValue) on \(trace.name) (\(simulation.model.rawValue) model)")
            let records = simulation.session(rule: rule, trace: trace)
            records.forEach { print($0.humanLine) }
            let summary = QoESummary(records: records)
            print(summary.humanText)
            try files.write(records: records, summary: summary,
                            title: "\(rule.rawValue) on \(trace.name)", maxBuffer: simulation.settings.maxBuffer)
            results.append(RuleResult(rule: rule, perTrace: [(trace.name, summary)]))
        }
        try writeJSON(results, of: simulation, optimum: reportOptimum(simulation, results: results))
    }

    private func runAll(_ simulation: Simulation, rules: [RuleName]) throws {
        guard log.isEmpty else {
            throw PlayerError("--plot, --csv and --jsonl describe one session: pick a trace with --trace NAME")
        }
        let start = Date()
        let results = rules.map { simulation.run(rule: $0, threads: threads) }
        let elapsed = Date().timeIntervalSince(start)
        print(SimulationReport.table(results))
        let sessions = results.count * simulation.traces.count
        note(String(format: "simulate: %d sessions in %.2f s (%.0f sessions/s)", sessions, elapsed,
                    Double(sessions) / max(elapsed, 1e-6)))
        try writeJSON(results, of: simulation, optimum: reportOptimum(simulation, results: results))
    }

    /// With `--optimum`: finds the offline optimum and prints each rule's share of it.
    private func reportOptimum(_ simulation: Simulation, results: [RuleResult]) -> OptimumResult? {
        guard optimum else { return nil }
        let best = simulation.optimum(resolution: optimumResolution, threads: threads)
        print(SimulationReport.optimumLine(best, results: results))
        return best
    }

    private func writeJSON(_ results: [RuleResult], of simulation: Simulation, optimum: OptimumResult?) throws {
        guard let json else { return }
        let context = SimulationReport.Context(
            video: video, networkModel: networkModel.rawValue,
            startup: "first segment at the highest level of at most \(Int(simulation.settings.startBitrateKbps)) kbps",
            abandonment: simulation.settings.abandonment, optimum: optimum)
        try SessionLogFiles.publish(String(decoding: try SimulationReport.json(results, context: context), as: UTF8.self) + "\n",
                                    to: json)
    }
}
