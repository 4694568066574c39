import ArgumentParser
import Foundation
import SwiftLearn

/// The `swiftlearn` command: the roadmap as a program. This foundation release has the tour of
/// what is implemented so far and the benchmark suites; later issues add roadmap, progress,
/// demos, checkpoints, training and serving.
@main
struct SwiftLearnCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlearn",
        abstract: "SwiftLearn: a machine-learning toolkit and study roadmap, in Swift.",
        subcommands: [TourCommand.self, RoadmapCommand.self, ProgressCommand.self, DemoCommand.self, CheckpointCommand.self,
                      LearnCommand.self, TrainCommand.self, FineTuneCommand.self, QuantizeCommand.self, SampleCommand.self, TokenizeCommand.self, NLPCommand.self, CollectionCommand.self, SearchCommand.self,
                      IndexCommand.self, EmbedCommand.self, RAGCommand.self, AgentCommand.self, RLCommand.self, GenerateCommand.self, ChatCommand.self, LMCommand.self, ServeCommand.self, TrackCommand.self, MonitorCommand.self, MCPCommand.self, AskCommand.self, BenchCommand.self, InfoCommand.self]
    )

    /// ArgumentParser's `main`, except that a `ValidationError` thrown while a subcommand runs
    /// prints that subcommand's usage: the default reports it against the root command
    /// ("Usage: swiftlearn <subcommand>"), which tells the user nothing about the option at fault.
    static func main() async {
        let command: ParsableCommand
        do { command = try parseAsRoot() } catch { exit(withError: error) }
        var running = command
        do {
            try refuseEmptyPaths(CommandLine.arguments.dropFirst())
            if var asynchronous = running as? AsyncParsableCommand { try await asynchronous.run() } else { try running.run() }
        } catch let error as ValidationError {
            let usage = usageString(for: type(of: command))
            FileHandle.standardError.write(Data("Error: \(error.message)\nUsage: \(usage)\n  See '\(usage.split(separator: " ").prefix { !$0.hasPrefix("-") && !$0.hasPrefix("[") && !$0.hasPrefix("<") }.joined(separator: " ")) --help' for more information.\n".utf8))
            Foundation.exit(ExitCode.validationFailure.rawValue)
        } catch {
            exit(withError: error)
        }
    }
}

/// Options that name a file or folder. An empty value would become the working directory
/// (`URL(fileURLWithPath: "")`): `--output ""` wrote a report into it, `--save ""` complained
/// that the current folder "is a directory". Refused up front, naming the option.
let pathOptions: Set<String> = ["--output", "-o", "--save", "--plot", "--scores", "--home", "--model-file", "--data", "--train",
                                "--test", "--vectors", "--queries", "--index", "--input", "--tokenizer", "--manifest", "--corpus",
                                "--bpe", "--wordpiece", "--jsonl", "--prompt-file", "--embedding", "--grammar", "--json-schema", "--qa", "--report", "--llm", "--judge"]

func refuseEmptyPaths<C: Collection>(_ arguments: C) throws where C.Element == String {
    var previous: String?
    for a in arguments {
        if a == "--" { return }
        if let p = previous, pathOptions.contains(p), a.isEmpty { throw ValidationError("\(p) needs a path, not an empty string") }
        if let eq = a.firstIndex(of: "="), a.hasPrefix("--"), pathOptions.contains(String(a[..<eq])), a[a.index(after: eq)...].isEmpty {
            throw ValidationError("\(a[..<eq]) needs a path, not an empty string")
        }
        previous = a
    }
}

/// `swiftlearn info`: what this build found on the machine.
struct InfoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Show the compute backends this machine gives SwiftLearn.")

    @Flag(help: "Print one JSON object.") var json = false

    func run() {
        let facts = SystemInfo.current
        if json {
            print(JSONLine(facts.fields).text)
        } else {
            for (k, v) in facts.fields { print("\(k.padding(toLength: 14, withPad: " ", startingAt: 0)) \(v)") }
        }
    }
}
