import ArgumentParser
import SwiftLearn

/// The `swiftlearn` command: the roadmap as a program. This foundation release has the tour of
/// what is implemented so far and the benchmark suites; later issues add roadmap, progress,
/// demos, checkpoints, training and serving.
@main
struct SwiftLearnCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swiftlearn",
        abstract: "SwiftLearn: a machine-learning toolkit and study roadmap, in Swift.",
        subcommands: [TourCommand.self, RoadmapCommand.self, ProgressCommand.self, DemoCommand.self, CheckpointCommand.self,
                      LearnCommand.self, TrainCommand.self, TokenizeCommand.self, CollectionCommand.self, SearchCommand.self,
                      IndexCommand.self, BenchCommand.self, InfoCommand.self]
    )
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
