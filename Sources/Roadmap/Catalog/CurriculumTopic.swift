import Foundation
import SwiftLearnCore

/// A public symbol of the library that implements (part of) a topic, written `Module.Symbol`
/// or `Module.Type.member` (for example `Learn.LinearRegression` or `Learn.Metrics.rocCurve`).
///
/// The catalog test reads `Sources/<module>/` and fails when the symbol has no public
/// declaration, so a link can never point at code that does not exist.
public struct SymbolLink: Codable, Sendable, Hashable, CustomStringConvertible {
    /// The library module, e.g. `Learn`.
    public var module: String
    /// The symbol path inside the module, e.g. `Metrics.rocCurve`.
    public var symbol: String

    /// Creates a link from its two parts.
    public init(module: String, symbol: String) {
        self.module = module
        self.symbol = symbol
    }

    /// Parses `Module.Symbol[.member]`; the first component is the module.
    public init(_ qualified: String) {
        let parts = qualified.split(separator: ".", maxSplits: 1).map(String.init)
        ensure(parts.count == 2, "SymbolLink: '\(qualified)' is not Module.Symbol")
        self.init(module: parts[0], symbol: parts[1])
    }

    /// `Module.Symbol`.
    public var description: String { "\(module).\(symbol)" }
}

/// One thing to learn: the smallest unit that can be marked learned, reviewed and planned.
public struct CurriculumTopic: Codable, Sendable, Identifiable, Hashable {
    /// Stable kebab-case identifier, e.g. `linear-regression`.
    public var id: String
    /// Human title.
    public var title: String
    /// One or two sentences: what the topic is about.
    public var summary: String
    /// Topics to learn first (their ids).
    public var prerequisites: [String]
    /// Estimated study time in hours (reading, exercises and a small project).
    public var estimatedHours: Double
    /// Library symbols that implement the topic; empty when SwiftLearn has no code for it yet.
    public var implementations: [SymbolLink]
    /// The id of the topic's demo in ``DemoRegistry`` (run with `swiftlearn demo <id>`), if any.
    public var demo: String?
    /// Ids of checkpoint projects in ``CheckpointRegistry`` that exercise this topic.
    public var checkpoints: [String]
    /// The phase that holds the topic (filled in by ``Curriculum``).
    public var phaseID: String = ""
    /// The unit that holds the topic (filled in by ``Curriculum``).
    public var unitID: String = ""

    /// Creates a topic; `phaseID`/`unitID` are set when the topic is placed in a ``Curriculum``.
    public init(id: String, title: String, summary: String, prerequisites: [String] = [], estimatedHours: Double,
                implementations: [SymbolLink] = [], demo: String? = nil, checkpoints: [String] = []) {
        self.id = id
        self.title = title
        self.summary = summary
        self.prerequisites = prerequisites
        self.estimatedHours = estimatedHours
        self.implementations = implementations
        self.demo = demo
        self.checkpoints = checkpoints
    }

    /// True when SwiftLearn links code for the topic (the catalog test proves the code exists).
    public var isImplemented: Bool { !implementations.isEmpty }
}

/// A group of related topics inside a phase (for example "Supervised learning").
public struct CurriculumUnit: Codable, Sendable, Identifiable, Hashable {
    /// Kebab-case id, unique in the catalog.
    public var id: String
    /// Human title.
    public var title: String
    /// The topics in study order.
    public var topics: [CurriculumTopic]

    /// Creates a unit.
    public init(id: String, title: String, topics: [CurriculumTopic]) {
        self.id = id
        self.title = title
        self.topics = topics
    }
}

/// A stage of the curriculum (for example "Classical machine learning").
public struct CurriculumPhase: Codable, Sendable, Identifiable, Hashable {
    /// Kebab-case id, unique in the catalog.
    public var id: String
    /// Human title.
    public var title: String
    /// What the phase is for, in one sentence.
    public var goal: String
    /// The units in study order.
    public var units: [CurriculumUnit]

    /// Creates a phase.
    public init(id: String, title: String, goal: String, units: [CurriculumUnit]) {
        self.id = id
        self.title = title
        self.goal = goal
        self.units = units
    }

    /// Every topic of the phase in study order.
    public var topics: [CurriculumTopic] { units.flatMap(\.topics) }
}
