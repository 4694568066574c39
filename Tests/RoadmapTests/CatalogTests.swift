import Foundation
import Testing
import Roadmap

/// The repository root, found from this file's path.
let repositoryRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// All Swift source text of a module, read from `Sources/<module>/`.
func moduleSource(_ module: String) -> String {
    let dir = repositoryRoot.appendingPathComponent("Sources/\(module)")
    guard let e = FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil) else { return "" }
    var text = ""
    for case let url as URL in e where url.pathExtension == "swift" { text += (try? String(contentsOf: url, encoding: .utf8)) ?? "" }
    return text
}

/// True when `source` has a public declaration named `name` (type, function, property, case or extension member).
func declaresPublicly(_ source: String, _ name: String) -> Bool {
    let n = NSRegularExpression.escapedPattern(for: name)
    let pattern = #"(?:public|open)\s+(?:(?:final|static|class|indirect|mutating|nonisolated|override|private\(set\)|fileprivate\(set\)|internal\(set\))\s+)*(?:class|struct|enum|protocol|actor|typealias|func|var|let|init)\s+"# + n + #"\b"#
    return source.range(of: pattern, options: .regularExpression) != nil
}

@Suite struct CatalogTests {
    let catalog = Curriculum.standard

    @Test func structureIsSound() {
        #expect(catalog.structuralProblems() == [])
        #expect(catalog.prerequisiteCycle() == nil)
        #expect(catalog.topics.count >= 200)
        #expect(Set(catalog.phases.flatMap(\.units).map(\.id)).count == catalog.phases.flatMap(\.units).count, "unit ids must be unique")
    }

    @Test func studyOrderPutsPrerequisitesFirst() throws {
        let order = try catalog.studyOrder()
        #expect(order.count == catalog.topics.count)
        let position = Dictionary(uniqueKeysWithValues: order.enumerated().map { ($1, $0) })
        for t in catalog.topics { for p in t.prerequisites { #expect(position[p]! < position[t.id]!, "\(p) must come before \(t.id)") } }
    }

    @Test func cycleDetectionFindsACycle() {
        let a = CurriculumTopic(id: "a", title: "A", summary: "a", prerequisites: ["c"], estimatedHours: 1)
        let b = CurriculumTopic(id: "b", title: "B", summary: "b", prerequisites: ["a"], estimatedHours: 1)
        let c = CurriculumTopic(id: "c", title: "C", summary: "c", prerequisites: ["b", "missing"], estimatedHours: 1)
        let bad = Curriculum(phases: [CurriculumPhase(id: "p", title: "P", goal: "g", units: [CurriculumUnit(id: "u", title: "U", topics: [a, b, c])])])
        #expect(bad.prerequisiteCycle() != nil)
        let problems = bad.structuralProblems()
        #expect(problems.contains { $0.contains("cycle") })
        #expect(problems.contains { $0.contains("unknown prerequisite 'missing'") })
        #expect(throws: RoadmapError.self) { try bad.studyOrder() }
    }

    @Test func everyLinkedSymbolIsDeclaredPublicly() {
        var sources: [String: String] = [:]
        for t in catalog.topics {
            for link in t.implementations {
                let source = sources[link.module] ?? moduleSource(link.module)
                sources[link.module] = source
                #expect(!source.isEmpty, "\(t.id): no sources for module \(link.module)")
                for part in link.symbol.split(separator: ".").map(String.init) {
                    let isType = part.first!.isUppercase
                    let found = declaresPublicly(source, part) || (isType && source.contains("extension \(part)"))
                    #expect(found, "\(t.id): \(link) — no public declaration of '\(part)' in Sources/\(link.module)")
                }
            }
        }
    }

    @Test func symbolCheckCanFail() {
        let learn = moduleSource("Learn")
        #expect(declaresPublicly(learn, "LinearRegression"))
        #expect(declaresPublicly(learn, "rocCurve"))
        #expect(!declaresPublicly(learn, "NoSuchEstimatorAnywhere"))
    }

    @Test func demosAndTopicsLinkBothWays() {
        let demoIDs = DemoRegistry.all.map(\.id)
        #expect(Set(demoIDs).count == demoIDs.count, "duplicate demo ids")
        for t in catalog.topics {
            if let d = t.demo { #expect(demoIDs.contains(d), "\(t.id) links demo \(d), which does not exist") }
            if t.isImplemented { #expect(t.demo != nil, "\(t.id) is implemented but has no demo") }
        }
        for d in demoIDs { #expect(catalog.topicIfPresent(d)?.demo == d, "demo \(d) is not linked from its topic") }
    }

    @Test func checkpointsAndTopicsLinkBothWays() {
        let ids = CheckpointRegistry.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for c in CheckpointRegistry.all {
            #expect(!c.topicIDs.isEmpty)
            for t in c.topicIDs {
                #expect(catalog.topicIfPresent(t) != nil, "checkpoint \(c.id): unknown topic \(t)")
                #expect(catalog.topicIfPresent(t)?.checkpoints.contains(c.id) == true, "topic \(t) does not link checkpoint \(c.id)")
            }
        }
        for t in catalog.topics { for c in t.checkpoints { #expect(ids.contains(c), "\(t.id) links checkpoint \(c), which does not exist") } }
    }

    @Test func tracksUseKnownTopics() {
        #expect(RoadmapTrack.all.count == 5)
        #expect(Set(RoadmapTrack.all.map(\.id)).count == 5)
        for track in RoadmapTrack.all {
            #expect(!track.phases.isEmpty)
            for p in track.phases {
                #expect(!p.topics.isEmpty, "\(track.id): empty phase \(p.title)")
                for t in p.topics { #expect(catalog.topicIfPresent(t) != nil, "\(track.id)/\(p.title): unknown topic \(t)") }
            }
            for m in track.milestones + track.levels {
                for t in m.topics { #expect(catalog.topicIfPresent(t) != nil, "\(track.id)/\(m.id): unknown topic \(t)") }
            }
        }
    }

    @Test func everyTopicComesFromSomeRoadmap() {
        let mapped = Set(SeedRoadmap.all.flatMap { $0.items.flatMap(\.topicIDs) } + RoadmapTrack.all.flatMap(\.topicIDs))
        let orphans = catalog.topicIDs.filter { !mapped.contains($0) }
        #expect(orphans == [], "topics no source roadmap mentions: \(orphans)")
    }

    @Test func seedMappingResolves() {
        #expect(SeedRoadmap.all.count == 5)
        for seed in SeedRoadmap.all {
            #expect(RoadmapTrack.all.contains { $0.id == seed.trackID })
            #expect(seed.items.count >= 40, "\(seed.fileName): only \(seed.items.count) items")
            for item in seed.items {
                #expect(!item.topicIDs.isEmpty, "\(seed.fileName): '\(item.label)' maps to nothing")
                for id in item.topicIDs { #expect(catalog.topicIfPresent(id) != nil, "\(seed.fileName): '\(item.label)' → unknown id \(id)") }
            }
        }
    }

    /// Where the project's source roadmaps live: `$SWIFTLEARN_SEEDS`, else `/work/shared/seeds`.
    static var seedFolder: URL? {
        let path = ProcessInfo.processInfo.environment["SWIFTLEARN_SEEDS"] ?? "/work/shared/seeds"
        return FileManager.default.fileExists(atPath: path) ? URL(fileURLWithPath: path) : nil
    }

    @Test(.enabled(if: seedFolder != nil, "the source roadmaps are not on this machine"))
    func everySeedItemIsMapped() throws {
        for seed in SeedRoadmap.all {
            let text = try String(contentsOf: Self.seedFolder!.appendingPathComponent(seed.fileName), encoding: .utf8)
            let labels = SeedRoadmap.checklistLabels(in: text)
            let mapped = Set(seed.items.map(\.label))
            let missing = labels.filter { !mapped.contains($0) }
            #expect(missing == [], "\(seed.fileName): items without a mapping: \(missing)")
            #expect(Set(labels) == mapped, "\(seed.fileName): mapping lists items the roadmap does not have: \(mapped.subtracting(labels))")
        }
    }

    @Test func checklistExtraction() {
        let text = """
        # T
        - [ ] **Linear Regression** (https://example.com/x)
          - detail that is not a checkbox
        - [x] Logistic Regression
        """
        #expect(SeedRoadmap.checklistLabels(in: text) == ["Linear Regression", "Logistic Regression"])
        let outline = "## 1. Prereq\n- Mathematics\n  - Calculus\n## Learning Resources\n- A book"
        #expect(SeedRoadmap.checklistLabels(in: outline) == ["Mathematics", "Calculus"])
    }

    @Test func unknownIdsSuggestCloseMatches() {
        do {
            _ = try catalog.topic("linear-regresion")
            Issue.record("expected an error")
        } catch RoadmapError.unknownTopic(let id, let suggestions) {
            #expect(id == "linear-regresion")
            #expect(suggestions.first == "linear-regression")
        } catch { Issue.record("wrong error \(error)") }
        do {
            _ = try catalog.topic("kmeans")
            Issue.record("expected an error")
        } catch let e as RoadmapError {
            #expect(e.description.contains("k-means"))
        } catch { Issue.record("wrong error \(error)") }
        #expect(NameMatcher.editDistance("kitten", "sitting") == 3)
        #expect(NameMatcher.suggestions(for: "zzzzzzzz", among: catalog.topicIDs) == [])
        #expect(throws: RoadmapError.self) { try RoadmapTrack.named("jorney") }
        #expect(throws: RoadmapError.self) { try DemoRegistry.demo("pcaa") }
    }

    @Test func coverageTableAddsUp() {
        let rows = catalog.coverage()
        #expect(rows.count == catalog.phases.count + 1)
        let total = rows.last!
        #expect(total.topics == catalog.topics.count)
        #expect(total.withDemos == DemoRegistry.all.count)
        #expect(total.implemented == catalog.topics.filter(\.isImplemented).count)
        let md = catalog.coverageMarkdown()
        #expect(md.hasPrefix("| Phase |"))
        #expect(md.components(separatedBy: "\n").count == rows.count + 2)
    }
}
