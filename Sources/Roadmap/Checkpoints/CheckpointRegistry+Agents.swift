import Agents
import APIClient
import Foundation

extension CheckpointRegistry {
    /// Checkpoint projects of agents: each preset's task from the project suite, on its scripted
    /// turns, with the property the project is about checked in the run itself.
    public static let agents: [Checkpoint] = [
        Checkpoint("agent-research-assistant", "A research assistant that searches and names its source",
                   topics: ["project-research-agent"],
                   criterion: "the research preset answers a handbook question: it calls search_collection with a valid query, the passage it gets back comes from the page that holds the answer (trees-and-ensembles.md), and its answer names that page") { ctx in
            try presetCheck(ctx, "research-max-depth") { run, _ in
                let passage = run.scripted.state.messages().first { $0.role == "tool" }?.content ?? ""
                return passage.contains("trees-and-ensembles") && run.scripted.answer?.contains("trees-and-ensembles") == true
            }
        },
        Checkpoint("agent-data-analysis", "A data-analysis agent that fits a model and reports the metric",
                   topics: ["project-data-analysis-agent"],
                   criterion: "the data-analysis preset describes iris.csv, fits a model on its target through fit_model (arguments checked against the tool's schema), and the test accuracy the tool measured is above 0.85") { ctx in
            try presetCheck(ctx, "data-analysis-iris") { run, lines in
                let fit = run.scripted.state.messages().last { $0.role == "tool" }?.content ?? ""
                let accuracy = Double(fit.components(separatedBy: "test accuracy ").last?.split(separator: " ").first ?? "") ?? 0
                lines.append("measured test accuracy: \(f(accuracy))")
                return accuracy > 0.85
            }
        },
        Checkpoint("agent-support-memory", "A support agent that remembers the customer",
                   topics: ["project-support-agent", "agent-memory"],
                   criterion: "the support preset looks the order up read-only (sql_query) and answers; in a later conversation its entity memory sends the model the customer's name and order number, which the model never saw in that thread") { ctx in
            try presetCheck(ctx, "support-remembers-the-customer", before: "support-order-status") { run, lines in
                let remembered = run.prompts.contains { $0.contains("name: Ada Lovelace") && $0.contains("order number: 1002") }
                lines.append("entity memory sent in the new conversation: \(remembered)")
                return remembered
            }
        },
        Checkpoint("agent-debate", "A multi-agent debate with a judge's verdict",
                   topics: ["project-multi-agent-debate", "multi-agent-systems"],
                   criterion: "two agents argue the motion in alternating turns for two rounds, each seeing the other's arguments, and a judge returns a verdict naming one of them (a structured reply checked against its schema)") { ctx in
            try presetCheck(ctx, "debate-trees-vs-nets") { run, _ in
                let names = run.scripted.state.messages().compactMap(\.name)
                let sawOther = run.prompts.contains { $0.contains("pro: Boosted trees handle mixed types") }
                return names == ["pro", "con", "pro", "con", "judge"] && sawOther && run.scripted.state["verdict"]?["winner"] != nil
            }
        },
    ]
}

/// Runs one task of the project suite on its script (after the `before` task, sharing memory),
/// checks the suite's expectation and `property` (the real-model runs are the project demos').
func presetCheck(_ ctx: DemoContext, _ taskName: String, before: String? = nil,
                 _ property: (PresetRun, inout [String]) throws -> Bool) throws -> DemoOutcome {
    let suite = try AgentEvalSuite.parse(AgentPresets.projectSuiteYAML, yaml: true)
    guard let task = suite.tasks.first(where: { $0.name == taskName }), let preset = task.preset else {
        return DemoOutcome(passed: false, result: "the project suite has no task \(taskName)")
    }
    func turns(_ t: AgentEvalSuite.Task) throws -> [AgentMessage] {
        try ScriptedChatModel(json: JSONValue.array(t.script ?? []).data).turns
    }
    let earlier = try before.flatMap { name in suite.tasks.first { $0.name == name } }.map { [($0.input, try turns($0))] } ?? []
    let run = try PresetRun.run(preset, input: task.input, turns: try turns(task), ctx: ctx, before: earlier, real: false)
    let failures = AgentEvaluation.check(task.expect, answer: run.scripted.answer, toolsCalled: toolsCalled(run.scripted), prompts: run.prompts)
    var lines = transcriptLines(run.scripted.state.messages())
    let holds = try property(run, &lines)
    lines.append(failures.isEmpty ? "suite expectation: met" : "suite expectation failed: \(failures.joined(separator: "; "))")
    lines += run.realLines(ctx)
    return DemoOutcome(passed: failures.isEmpty && holds, result: lines.joined(separator: "\n"),
                       metrics: [("model_calls", Double(run.scripted.modelCalls)), ("tokens", Double(run.scripted.usage.totalTokens))])
}
