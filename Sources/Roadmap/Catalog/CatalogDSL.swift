import Foundation

// A small builder vocabulary for the catalog files (`Curriculum+*.swift`), so each topic is one
// readable call: id, title, hours, prerequisites, summary, then the optional links.

/// Builds a topic. `code` lists `Module.Symbol` links; `demo: true` links the demo whose id is the
/// topic id; `checkpoints` lists checkpoint ids.
func topic(_ id: String, _ title: String, hours: Double, after prerequisites: [String] = [], _ summary: String,
           code: [String] = [], demo: Bool = false, checkpoints: [String] = []) -> CurriculumTopic {
    CurriculumTopic(id: id, title: title, summary: summary, prerequisites: prerequisites, estimatedHours: hours,
                    implementations: code.map(SymbolLink.init), demo: demo ? id : nil, checkpoints: checkpoints)
}

/// Builds a unit.
func unit(_ id: String, _ title: String, _ topics: [CurriculumTopic]) -> CurriculumUnit {
    CurriculumUnit(id: id, title: title, topics: topics)
}
