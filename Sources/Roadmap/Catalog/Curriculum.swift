import Foundation
import SwiftLearnCore

/// The whole curriculum: phases → units → topics, the union of the five study roadmaps the
/// project started from, in our own words.
///
/// ```swift
/// let catalog = Curriculum.standard
/// let topic = try catalog.topic("k-means")          // throws with close matches when unknown
/// let order = try catalog.studyOrder()               // prerequisites first
/// ```
public struct Curriculum: Sendable {
    /// The phases in study order.
    public let phases: [CurriculumPhase]
    private let index: [String: CurriculumTopic]
    private let order: [String]

    /// Builds a curriculum; fills each topic's `phaseID`/`unitID`.
    /// Duplicate topic ids are a programming error and stop with a message.
    public init(phases: [CurriculumPhase]) {
        var placed: [CurriculumPhase] = []
        var index: [String: CurriculumTopic] = [:]
        var order: [String] = []
        for var phase in phases {
            for u in phase.units.indices {
                for t in phase.units[u].topics.indices {
                    phase.units[u].topics[t].phaseID = phase.id
                    phase.units[u].topics[t].unitID = phase.units[u].id
                    let topic = phase.units[u].topics[t]
                    ensure(index[topic.id] == nil, "Curriculum: duplicate topic id '\(topic.id)'")
                    index[topic.id] = topic
                    order.append(topic.id)
                }
            }
            placed.append(phase)
        }
        self.phases = placed
        self.index = index
        self.order = order
    }

    /// The catalog that ships with SwiftLearn.
    public static let standard = Curriculum(phases: [
        .foundations, .classicalML, .deepLearning, .languageProcessing, .largeLanguageModels,
        .retrievalAndSearch, .agents, .generativeModels, .reinforcementLearning, .specializedDomains,
        .production, .research,
    ])

    /// Every topic in catalog order.
    public var topics: [CurriculumTopic] { order.map { index[$0]! } }

    /// Every topic id in catalog order.
    public var topicIDs: [String] { order }

    /// The topic with this id, or nil.
    public func topicIfPresent(_ id: String) -> CurriculumTopic? { index[id] }

    /// The topic with this id; throws ``RoadmapError/unknownTopic(_:suggestions:)`` with close matches.
    public func topic(_ id: String) throws -> CurriculumTopic {
        if let t = index[id] { return t }
        throw RoadmapError.unknownTopic(id, suggestions: NameMatcher.suggestions(for: id, among: order))
    }

    /// The phase with this id; throws with close matches when unknown.
    public func phase(_ id: String) throws -> CurriculumPhase {
        if let p = phases.first(where: { $0.id == id }) { return p }
        throw RoadmapError.unknownPhase(id, suggestions: NameMatcher.suggestions(for: id, among: phases.map(\.id)))
    }

    /// Problems with the catalog's structure: unknown prerequisite ids, self-prerequisites,
    /// non-kebab ids, non-positive hours and prerequisite cycles. Empty when all is well.
    public func structuralProblems() -> [String] {
        var problems: [String] = []
        let kebab = #"^[a-z0-9]+(-[a-z0-9]+)*$"#
        for t in topics {
            if t.id.range(of: kebab, options: .regularExpression) == nil { problems.append("topic id '\(t.id)' is not kebab-case") }
            if !(t.estimatedHours > 0) { problems.append("\(t.id): estimated hours must be positive") }
            if t.summary.isEmpty || t.title.isEmpty { problems.append("\(t.id): empty title or summary") }
            for p in t.prerequisites {
                if p == t.id { problems.append("\(t.id) lists itself as a prerequisite") }
                else if index[p] == nil { problems.append("\(t.id): unknown prerequisite '\(p)'") }
            }
        }
        if let cycle = prerequisiteCycle() { problems.append("prerequisite cycle: \(cycle.joined(separator: " → "))") }
        return problems
    }

    /// A prerequisite cycle if one exists (depth-first search with colours), else nil.
    public func prerequisiteCycle() -> [String]? {
        var state: [String: Int] = [:]  // 1 = on the stack, 2 = done
        var stack: [String] = []
        func visit(_ id: String) -> [String]? {
            state[id] = 1
            stack.append(id)
            for p in index[id]?.prerequisites ?? [] where index[p] != nil {
                if state[p] == 1 { return Array(stack[stack.firstIndex(of: p)!...]) + [p] }
                if state[p] == nil, let c = visit(p) { return c }
            }
            stack.removeLast()
            state[id] = 2
            return nil
        }
        for id in order where state[id] == nil {
            if let c = visit(id) { return c }
        }
        return nil
    }

    /// Topics in an order where every prerequisite comes before the topics that need it
    /// (stable: catalog order wherever the prerequisites allow). Throws when there is a cycle.
    public func studyOrder(of ids: [String]? = nil) throws -> [String] {
        if let c = prerequisiteCycle() { throw RoadmapError.invalidValue(name: "catalog", value: c.joined(separator: " → "), allowed: "prerequisites must not form a cycle") }
        let wanted = ids ?? order
        var done = Set<String>()
        var result: [String] = []
        func place(_ id: String) {
            if done.contains(id) { return }
            done.insert(id)
            for p in index[id]?.prerequisites ?? [] { place(p) }
            result.append(id)
        }
        for id in wanted { place(id) }
        let keep = Set(wanted)
        return result.filter { keep.contains($0) }
    }

    /// Every topic that `id` needs, directly or through other prerequisites.
    public func allPrerequisites(of id: String) -> Set<String> {
        var seen = Set<String>()
        var queue = index[id]?.prerequisites ?? []
        while let next = queue.popLast() {
            if seen.insert(next).inserted { queue += index[next]?.prerequisites ?? [] }
        }
        return seen
    }
}
