import Foundation

/// Per-phase counts of what SwiftLearn implements: the README's coverage table.
public struct CoverageRow: Sendable, Equatable {
    /// Phase id.
    public var phaseID: String
    /// Phase title.
    public var title: String
    /// Topics in the phase.
    public var topics: Int
    /// Topics with linked, tested code.
    public var implemented: Int
    /// Topics with a demo.
    public var withDemos: Int
    /// Topics with at least one checkpoint.
    public var withCheckpoints: Int
    /// Estimated study hours.
    public var hours: Double
}

extension Curriculum {
    /// One coverage row per phase, plus a final "total" row.
    public func coverage() -> [CoverageRow] {
        var rows = phases.map { p -> CoverageRow in
            let t = p.topics
            return CoverageRow(phaseID: p.id, title: p.title, topics: t.count, implemented: t.filter(\.isImplemented).count,
                               withDemos: t.filter { $0.demo != nil }.count, withCheckpoints: t.filter { !$0.checkpoints.isEmpty }.count,
                               hours: t.map(\.estimatedHours).reduce(0, +))
        }
        rows.append(CoverageRow(phaseID: "total", title: "Total", topics: rows.map(\.topics).reduce(0, +),
                                implemented: rows.map(\.implemented).reduce(0, +), withDemos: rows.map(\.withDemos).reduce(0, +),
                                withCheckpoints: rows.map(\.withCheckpoints).reduce(0, +), hours: rows.map(\.hours).reduce(0, +)))
        return rows
    }

    /// The coverage table as GitHub Markdown.
    public func coverageMarkdown() -> String {
        var lines = ["| Phase | Topics | Implemented | With demos | With checkpoints | Study hours |", "|---|---:|---:|---:|---:|---:|"]
        for r in coverage() {
            let name = r.phaseID == "total" ? "**Total**" : r.title
            lines.append("| \(name) | \(r.topics) | \(r.implemented) | \(r.withDemos) | \(r.withCheckpoints) | \(Int(r.hours.rounded())) |")
        }
        return lines.joined(separator: "\n")
    }
}
