import CSwiftLearnKernels
import Foundation

/// Word vectors by word (gensim's `KeyedVectors`): lookup, cosine similarity, nearest neighbours,
/// analogies, the two standard evaluations (`evaluate_word_analogies` on Mikolov's
/// questions-words file, `evaluate_word_pairs` on WordSim-353-style files), and the word2vec
/// text and binary formats that gensim and the original C tool read and write.
///
/// ```swift
/// let wv = try WordVectors.load(word2vecFormat: "vectors.txt")
/// wv.mostSimilar(positive: ["king", "woman"], negative: ["man"], topN: 3)
/// try wv.evaluateWordAnalogies(questions).accuracy
/// ```
public struct WordVectors: Sendable {
    /// The words, most frequent first when they come from training.
    public let words: [String]
    /// Row-major vectors, `count × dimension`.
    public private(set) var vectors: [Float]
    /// Values per vector.
    public let dimension: Int
    /// Word → row.
    public let index: [String: Int]
    var normalized: [Float] = []

    /// The number of words.
    public var count: Int { words.count }

    /// Vectors for `words` (row i belongs to words[i]); duplicate words keep the first row, as gensim does.
    public init(words: [String], vectors: [Float], dimension: Int) throws {
        guard dimension >= 1, vectors.count == words.count * dimension else {
            throw NLPError.invalidInput("\(words.count) words need \(words.count) × \(dimension) values, got \(vectors.count)")
        }
        guard vectors.allSatisfy(\.isFinite) else { throw NLPError.invalidInput("the vectors hold non-finite values") }
        self.words = words; self.vectors = vectors; self.dimension = dimension
        var index: [String: Int] = [:]
        for (i, w) in words.enumerated() where index[w] == nil { index[w] = i }
        self.index = index
        normalize()
    }

    mutating func normalize() {
        normalized = vectors
        for r in 0..<count {
            var n: Float = 0
            for j in 0..<dimension { n += vectors[r * dimension + j] * vectors[r * dimension + j] }
            let inv = n > 0 ? 1 / n.squareRoot() : 0
            for j in 0..<dimension { normalized[r * dimension + j] *= inv }
        }
    }

    mutating func withMutableStorage<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        defer { normalize() }
        return try vectors.withUnsafeMutableBufferPointer { try body($0) }
    }

    /// The vector of a word (nil when absent).
    public func vector(_ word: String) -> [Float]? {
        guard let i = index[word] else { return nil }
        return Array(vectors[(i * dimension)..<((i + 1) * dimension)])
    }

    /// Cosine similarity of two words (nil when either is absent).
    public func similarity(_ a: String, _ b: String) -> Double? {
        guard let i = index[a], let j = index[b] else { return nil }
        var s: Float = 0
        for k in 0..<dimension { s += normalized[i * dimension + k] * normalized[j * dimension + k] }
        return Double(s)
    }

    /// The `topN` words closest (cosine) to the mean of the unit vectors of `positive` minus those
    /// of `negative` (gensim's `most_similar`; 3CosAdd for analogies), leaving the query words out;
    /// `restrictVocabulary` limits the search to the first n words.
    public func mostSimilar(positive: [String], negative: [String] = [], topN: Int = 10, restrictVocabulary: Int? = nil) throws -> [(word: String, similarity: Double)] {
        guard !positive.isEmpty || !negative.isEmpty else { throw NLPError.invalidInput("give at least one word") }
        var mean = [Float](repeating: 0, count: dimension)
        var used = Set<Int>()
        for (words, sign) in [(positive, Float(1)), (negative, Float(-1))] {
            for w in words {
                guard let i = index[w] else { throw NLPError.invalidInput("'\(w)' is not in the vocabulary") }
                used.insert(i)
                for k in 0..<dimension { mean[k] += sign * normalized[i * dimension + k] }
            }
        }
        var n: Float = 0
        for v in mean { n += v * v }
        if n > 0 { let inv = 1 / n.squareRoot(); for k in mean.indices { mean[k] *= inv } }
        let limit = max(min(restrictVocabulary ?? count, count), 0)
        let k = min(max(topN, 0), limit)
        guard k > 0 else { return [] }
        // Every row's cosine in one pass of the vector-search kernel (AVX2/AVX-512), then the k best
        // kept in a min-heap: O(V·d + V·log k) instead of sorting the whole vocabulary per query.
        var scores = [Float](repeating: 0, count: limit)
        normalized.withUnsafeBufferPointer { base in
            mean.withUnsafeBufferPointer { q in
                scores.withUnsafeMutableBufferPointer { out in
                    sl_vec_dot_rows_f32(q.baseAddress, base.baseAddress, nil, limit, dimension, out.baseAddress)
                }
            }
        }
        // Better = higher similarity, then the lower (more frequent) index.
        func better(_ a: (Int, Float), _ b: (Int, Float)) -> Bool { a.1 != b.1 ? a.1 > b.1 : a.0 < b.0 }
        var heap: [(Int, Float)] = []   // the worst of the kept at heap[0]
        heap.reserveCapacity(k)
        func siftDown(_ i0: Int) {
            var i = i0
            while true {
                let l = 2 * i + 1, r = l + 1
                var worst = i
                if l < heap.count && better(heap[worst], heap[l]) { worst = l }
                if r < heap.count && better(heap[worst], heap[r]) { worst = r }
                if worst == i { return }
                heap.swapAt(i, worst); i = worst
            }
        }
        for r in 0..<limit where !used.contains(r) {
            let item = (r, scores[r])
            if heap.count < k {
                heap.append(item)
                var i = heap.count - 1
                while i > 0 {
                    let parent = (i - 1) / 2
                    guard better(heap[parent], heap[i]) else { break }
                    heap.swapAt(i, parent); i = parent
                }
            } else if better(item, heap[0]) {
                heap[0] = item
                siftDown(0)
            }
        }
        return heap.sorted(by: better).map { (words[$0.0], Double($0.1)) }
    }

    /// Accuracy on analogy questions in Mikolov's format (`: section` lines, then `a b c d` — a is
    /// to b as c is to d), as gensim's `evaluate_word_analogies`: words upper-cased when
    /// `caseInsensitive`, questions with a word outside the first `restrictVocabulary` words
    /// skipped, the answer the nearest word to b − a + c other than a, b and c.
    public func evaluateWordAnalogies(_ text: String, restrictVocabulary: Int = 300_000, caseInsensitive: Bool = true) throws -> AnalogyEvaluation {
        let limit = min(restrictVocabulary, count)
        var ok: [String: String] = [:]   // key as compared → the vocabulary word
        for w in words.prefix(limit).reversed() { ok[caseInsensitive ? w.uppercased() : w] = w }
        var sections: [(name: String, correct: Int, incorrect: Int)] = []
        var skipped = 0
        for (n, raw) in TextLines.split(text).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            if line.hasPrefix(":") {
                sections.append((String(line.drop { $0 == ":" || $0 == " " }), 0, 0)); continue
            }
            guard !sections.isEmpty else { throw NLPError.invalidInput("line \(n + 1): a question before the first ': section' line") }
            let parts = line.split(whereSeparator: \.isWhitespace).map { caseInsensitive ? $0.uppercased() : String($0) }
            guard parts.count == 4 else { throw NLPError.invalidInput("line \(n + 1): expected 4 words, got \(parts.count)") }
            guard let a = ok[parts[0]], let b = ok[parts[1]], let c = ok[parts[2]], ok[parts[3]] != nil else { skipped += 1; continue }
            let ignore = Set(parts.prefix(3))
            var predicted: String? = nil
            for (w, _) in try mostSimilar(positive: [b, c], negative: [a], topN: 5, restrictVocabulary: limit) {
                let key = caseInsensitive ? w.uppercased() : w
                if !ignore.contains(key) { predicted = key; break }
            }
            if predicted == parts[3] { sections[sections.count - 1].correct += 1 } else { sections[sections.count - 1].incorrect += 1 }
        }
        return AnalogyEvaluation(sections: sections, skipped: skipped)
    }

    /// Pearson and Spearman correlation between human similarity scores and the vectors' cosine
    /// similarities on `word<TAB>word<TAB>score` lines (`#` lines are comments), as gensim's
    /// `evaluate_word_pairs`: pairs with an unknown word are left out and counted.
    public func evaluateWordPairs(_ text: String, restrictVocabulary: Int = 300_000, caseInsensitive: Bool = true) throws -> WordPairEvaluation {
        let limit = min(restrictVocabulary, count)
        var ok: [String: String] = [:]
        for w in words.prefix(limit).reversed() { ok[caseInsensitive ? w.uppercased() : w] = w }
        var human: [Double] = [], model: [Double] = [], oov = 0
        for (n, line) in TextLines.split(text).enumerated() {
            if line.hasPrefix("#") || line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            let parts = line.split(separator: "\t").map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 3, let score = Double(parts[2]), score.isFinite else {
                throw NLPError.invalidInput("line \(n + 1): expected word<TAB>word<TAB>score")
            }
            let a = caseInsensitive ? parts[0].uppercased() : parts[0], b = caseInsensitive ? parts[1].uppercased() : parts[1]
            guard let wa = ok[a], let wb = ok[b], let s = similarity(wa, wb) else { oov += 1; continue }
            human.append(score); model.append(s)
        }
        guard human.count >= 2 else { throw NLPError.invalidInput("fewer than two pairs have both words in the vocabulary") }
        return WordPairEvaluation(pearson: Statistics.pearson(human, model), spearman: Statistics.spearman(human, model),
                                  pairs: human.count, outOfVocabulary: oov)
    }
}

/// What `evaluateWordAnalogies` found, per section and in total.
public struct AnalogyEvaluation: Sendable {
    /// Each `: section` of the file with its correct and incorrect answers.
    public var sections: [(name: String, correct: Int, incorrect: Int)]
    /// Questions left out because a word is outside the vocabulary.
    public var skipped: Int
    /// Answers right and wrong over every section.
    public var correct: Int { sections.reduce(0) { $0 + $1.correct } }
    public var incorrect: Int { sections.reduce(0) { $0 + $1.incorrect } }
    /// correct / (correct + incorrect) over every section (gensim's "Total accuracy"); 0 when none was asked.
    public var accuracy: Double { correct + incorrect > 0 ? Double(correct) / Double(correct + incorrect) : 0 }
}

/// What `evaluateWordPairs` found.
public struct WordPairEvaluation: Sendable {
    /// Correlations of the human scores with the cosine similarities (Spearman on average ranks).
    public var pearson: Double, spearman: Double
    /// Pairs compared, and pairs left out because a word is unknown.
    public var pairs: Int, outOfVocabulary: Int
    /// Out-of-vocabulary pairs as a percentage of all pairs (gensim's `oov_ratio`).
    public var outOfVocabularyPercent: Double { 100 * Double(outOfVocabulary) / Double(max(pairs + outOfVocabulary, 1)) }
}

enum Statistics {
    static func pearson(_ x: [Double], _ y: [Double]) -> Double {
        let n = Double(x.count), mx = x.reduce(0, +) / n, my = y.reduce(0, +) / n
        var sxy = 0.0, sxx = 0.0, syy = 0.0
        for (a, b) in zip(x, y) { sxy += (a - mx) * (b - my); sxx += (a - mx) * (a - mx); syy += (b - my) * (b - my) }
        return sxx > 0 && syy > 0 ? sxy / (sxx * syy).squareRoot() : .nan
    }

    /// Ranks with ties averaged (scipy's `rankdata(method="average")`).
    static func ranks(_ x: [Double]) -> [Double] {
        let order = x.indices.sorted { x[$0] < x[$1] }
        var r = [Double](repeating: 0, count: x.count)
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && x[order[j + 1]] == x[order[i]] { j += 1 }
            let avg = Double(i + j) / 2 + 1
            for k in i...j { r[order[k]] = avg }
            i = j + 1
        }
        return r
    }

    static func spearman(_ x: [Double], _ y: [Double]) -> Double { pearson(ranks(x), ranks(y)) }
}

extension WordVectors {
    /// Writes the word2vec format: a `count dimension` header, then per word the word and its
    /// values — as text (one line each, shortest round-trip floats) or binary (the word, a space,
    /// `dimension` little-endian float32s), as gensim's `save_word2vec_format` writes them.
    public func save(word2vecFormat path: String, binary: Bool = false) throws {
        var data = Data("\(count) \(dimension)\n".utf8)
        for (i, w) in words.enumerated() {
            let row = vectors[(i * dimension)..<((i + 1) * dimension)]
            if binary {
                data.append(contentsOf: Array("\(w) ".utf8))
                for v in row { withUnsafeBytes(of: v.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            } else {
                data.append(contentsOf: Array((w + " " + row.map { "\($0)" }.joined(separator: " ") + "\n").utf8))
            }
        }
        do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
            throw NLPError.fileError(path: path, reason: error.localizedDescription)
        }
    }

    /// The largest file `load(word2vecFormat:)` reads (4 GiB).
    public static let maxFileBytes = 1 << 32

    /// Reads the word2vec text or binary format (gensim's and the C tool's; a newline before a
    /// binary word is skipped, as gensim does). Every count, length and value is checked against
    /// the header and the file's size before anything is allocated.
    public static func load(word2vecFormat path: String, binary: Bool = false) throws -> WordVectors {
        let url = URL(fileURLWithPath: path)
        if let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > maxFileBytes {
            throw NLPError.fileError(path: path, reason: "\(size) bytes; the limit is \(maxFileBytes)")
        }
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw NLPError.fileError(path: path, reason: error.localizedDescription) }
        return try decode(word2vecFormat: data, binary: binary, source: path)
    }

    /// The same from bytes.
    public static func decode(word2vecFormat data: Data, binary: Bool, source: String = "word2vec data") throws -> WordVectors {
        func bad(_ m: String) -> NLPError { .fileError(path: source, reason: m) }
        let bytes = [UInt8](data)
        guard let headerEnd = bytes.firstIndex(of: 0x0A) else { throw bad("no header line ('count dimension')") }
        let header = String(decoding: bytes[..<headerEnd], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
        guard header.count == 2, let n = Int(header[0]), let d = Int(header[1]), n >= 1, d >= 1, d <= 100_000 else {
            throw bad("the header must be 'count dimension' with count ≥ 1 and 1 ≤ dimension ≤ 100000")
        }
        // Each word needs at least 2 bytes plus its values: refuse counts the file cannot hold.
        let minimumPerWord = binary ? 2 + 4 * d : 2 + 2 * d
        guard n <= (bytes.count - headerEnd) / minimumPerWord + 1 else { throw bad("the header promises \(n) vectors of \(d) values; the file is too short for that") }
        var words: [String] = [], values: [Float] = []
        words.reserveCapacity(n); values.reserveCapacity(n * d)
        var pos = headerEnd + 1
        if binary {
            for k in 0..<n {
                while pos < bytes.count && bytes[pos] == 0x0A { pos += 1 }
                guard let space = bytes[pos...].firstIndex(of: 0x20) else { throw bad("vector \(k + 1): no word") }
                guard space > pos, space - pos <= 10_000 else { throw bad("vector \(k + 1): empty or overlong word") }
                guard let word = String(bytes: bytes[pos..<space], encoding: .utf8) else { throw bad("vector \(k + 1): the word is not UTF-8") }
                pos = space + 1
                guard pos + 4 * d <= bytes.count else { throw bad("vector \(k + 1) ('\(word)'): the file ends inside it") }
                for j in 0..<d {
                    var bits: UInt32 = 0
                    for b in 0..<4 { bits |= UInt32(bytes[pos + 4 * j + b]) << (8 * UInt32(b)) }
                    let v = Float(bitPattern: bits)
                    guard v.isFinite else { throw bad("vector \(k + 1) ('\(word)'): a non-finite value") }
                    values.append(v)
                }
                pos += 4 * d
                words.append(word)
            }
        } else {
            let lines = TextLines.split(String(decoding: bytes[pos...], as: UTF8.self))
            guard lines.count >= n else { throw bad("the header promises \(n) vectors; the file has \(lines.count) lines") }
            for k in 0..<n {
                let parts = lines[k].trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ")
                guard parts.count == d + 1 else { throw bad("line \(k + 2): expected a word and \(d) values, got \(parts.count) fields") }
                for p in parts.dropFirst() {
                    guard let v = Float(p), v.isFinite else { throw bad("line \(k + 2): '\(p)' is not a finite number") }
                    values.append(v)
                }
                words.append(String(parts[0]))
            }
        }
        return try WordVectors(words: words, vectors: values, dimension: d)
    }
}
