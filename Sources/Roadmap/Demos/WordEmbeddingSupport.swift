import Datasets
import Foundation
import NLP

/// The Lee corpus (bundled) as sentences of whitespace-separated words, as gensim's LineSentence reads it.
func leeSentences() throws -> [[String]] {
    try BundledText.leeBackground.load().split(separator: "\n").map { $0.split(whereSeparator: \.isWhitespace).map(String.init) }
}

/// Four topics of the Lee corpus (cricket, the Middle East, bushfires, Afghanistan), 23 words
/// that each occur at least 6 times.
let leeTopics: [[String]] = [["cricket", "wicket", "Test", "match", "innings", "Adelaide"],
                             ["Israeli", "Palestinian", "Arafat", "Hamas", "Gaza", "Sharon"],
                             ["fire", "fires", "firefighters", "winds", "blaze"],
                             ["Taliban", "Afghanistan", "Kandahar", "Laden", "Qaeda", "Afghan"]]

/// How many topic words have, as their most similar other topic word, one of their own topic
/// (chance ≈ 5/22): a check of what the vectors learned that needs no human-rated set. gensim
/// 4.4.0 scores 18–20 of 23 (skip-gram) and 15–16 (CBOW) on seeds 1–3 with the same settings.
func topicNeighbourAccuracy(_ wv: WordVectors) -> (correct: Int, total: Int) {
    var label: [String: Int] = [:]
    for (k, t) in leeTopics.enumerated() { for w in t where wv.index[w] != nil { label[w] = k } }
    var correct = 0
    for (w, k) in label {
        let best = label.keys.filter { $0 != w }.max { (wv.similarity(w, $0) ?? -2) < (wv.similarity(w, $1) ?? -2) }
        if let best, label[best] == k { correct += 1 }
    }
    return (correct, label.count)
}
