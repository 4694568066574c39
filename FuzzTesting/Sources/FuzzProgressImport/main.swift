// libFuzzer target: Roadmap.ProgressSnapshot.decode, the decoding and validation step of
// `swiftlearn progress import` (no database). A snapshot that validates is exported again.
//
// SWIFTLEARN_FUZZ_WRITE_SEEDS=DIR: writes a few valid exports to DIR and exits (how the
// committed seed corpus was made).
import Foundation
import Roadmap

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let data = Data(bytes: start, count: count)
    guard let snapshot = try? ProgressSnapshot.decode(data) else { return 0 }
    _ = try? snapshot.jsonData()
    return 0
}

@_cdecl("LLVMFuzzerInitialize")
public func initialize(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> CInt {
    guard let dir = ProcessInfo.processInfo.environment["SWIFTLEARN_FUZZ_WRITE_SEEDS"] else { return 0 }
    let topics = Curriculum.standard.topics
    let t0 = Date(timeIntervalSince1970: 1_760_000_000)
    let empty = ProgressSnapshot(exportedAt: t0, marks: [], studyLog: [], reviews: [], checkpoints: [])
    let full = ProgressSnapshot(
        exportedAt: t0,
        marks: topics.prefix(3).enumerated().map { (k: Int, topic: CurriculumTopic) -> TopicMark in
            let at: Date = t0.addingTimeInterval(Double(k) * 3600)
            return TopicMark(topicID: topic.id, learnedAt: at, note: k == 0 ? "first — café" : nil)
        },
        studyLog: [StudyLogEntry(loggedAt: t0, hours: 1.5, note: "reading", topicID: topics.first?.id),
                   StudyLogEntry(loggedAt: t0.addingTimeInterval(60), hours: 0.25, note: "exercises", topicID: nil)],
        reviews: [ReviewRecord(topicID: topics[0].id, reviewedAt: t0.addingTimeInterval(86_400), rating: 4),
                  ReviewRecord(topicID: topics[1].id, reviewedAt: t0.addingTimeInterval(90_000), rating: 0)],
        checkpoints: [CheckpointRecord(checkpointID: topics.flatMap(\.checkpoints).first ?? "cp", runAt: t0, passed: true, score: 0.93, detail: "ok"),
                      CheckpointRecord(checkpointID: "other", runAt: t0, passed: false, score: nil, detail: "failed")])
    do {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try empty.jsonData().write(to: URL(fileURLWithPath: dir + "/empty.json"))
        try full.jsonData().write(to: URL(fileURLWithPath: dir + "/full.json"))
        for url in [dir + "/empty.json", dir + "/full.json"] { _ = try ProgressSnapshot.decode(Data(contentsOf: URL(fileURLWithPath: url))) }
    } catch { print("seed generation failed: \(error)"); exit(1) }
    print("wrote seeds to \(dir)")
    exit(0)
}
