import Foundation
import Testing
import Tensors
import NLP
import TestSupport

/// CountVectorizer / TfidfVectorizer against scikit-learn 1.9.1 (scripts/fixtures/make_nlp_fixtures.py).
@Suite struct VectorizerTests {
    static let documents: [String] = {
        let o = try! FixtureFiles.json("nlp_corpus.json") as! [String: Any]
        return o["documents"] as! [String]
    }()

    static let cases: [[String: Any]] = {
        let o = try! FixtureFiles.json("nlp_tfidf.json") as! [String: Any]
        return o["cases"] as! [[String: Any]]
    }()

    static func matrix(_ o: Any?) -> (shape: [Int], indptr: [Int], indices: [Int], data: [Double]) {
        let m = o as! [String: Any]
        return (m["shape"] as! [Int], m["indptr"] as! [Int], m["indices"] as! [Int], doubles(m["data"]))
    }

    static func doubles(_ o: Any?) -> [Double] { (o as! [Any]).map { ($0 as! NSNumber).doubleValue } }

    static func limit(_ v: Any?, default d: DocumentFrequencyLimit) -> DocumentFrequencyLimit {
        guard let v else { return d }
        if let i = v as? Int { return .count(i) }   // JSON 10 (int) vs 0.5 (float), as scikit-learn tells them apart
        return .fraction((v as! NSNumber).doubleValue)
    }

    /// Builds the Swift vectorizer matching a fixture case's scikit-learn parameters.
    static func make(_ c: [String: Any]) -> (fit: ([String]) throws -> SparseMatrix, transform: ([String]) throws -> SparseMatrix,
                                            names: () -> [String], idf: () -> [Double]) {
        let p = c["params"] as! [String: Any]
        let range = (p["ngram_range"] as? [Int]).map { $0[0]...$0[1] } ?? 1...1
        let analyzer: VectorizerAnalyzer = switch p["analyzer"] as? String {
        case "char": .char
        case "char_wb": .charWithinWords
        default: .word
        }
        let accents: TextNormalizer.AccentStripping = switch p["strip_accents"] as? String {
        case "unicode": .unicode
        case "ascii": .ascii
        default: .none
        }
        let stop: StopWords? = p["stop_words"] as? String == "english" ? .english : nil
        let dtype: DType = c["dtype"] as! String == "float32" ? .float32 : (c["dtype"] as! String == "int64" ? .int64 : .float64)
        if c["class"] as! String == "CountVectorizer" {
            let v = CountVectorizer(lowercase: p["lowercase"] as? Bool ?? true, stripAccents: accents,
                                    tokenPattern: p["token_pattern"] as? String, stopWords: stop, ngramRange: range,
                                    analyzer: analyzer, maxDF: limit(p["max_df"], default: 1.0), minDF: limit(p["min_df"], default: 1),
                                    maxFeatures: p["max_features"] as? Int, vocabulary: p["vocabulary"] as? [String],
                                    binary: p["binary"] as? Bool ?? false, dtype: dtype)
            return (v.fitTransform, v.transform, { v.featureNames }, { [] })
        }
        let norm: TfidfVectorizer.Norm = p.keys.contains("norm") ? ((p["norm"] as? String).flatMap(TfidfVectorizer.Norm.init) ?? .none) : .l2
        let v = TfidfVectorizer(lowercase: p["lowercase"] as? Bool ?? true, stripAccents: accents,
                                tokenPattern: p["token_pattern"] as? String, stopWords: stop, ngramRange: range,
                                analyzer: analyzer, maxDF: limit(p["max_df"], default: 1.0), minDF: limit(p["min_df"], default: 1),
                                maxFeatures: p["max_features"] as? Int, binary: p["binary"] as? Bool ?? false, dtype: dtype,
                                norm: norm, useIDF: p["use_idf"] as? Bool ?? true, smoothIDF: p["smooth_idf"] as? Bool ?? true,
                                sublinearTF: p["sublinear_tf"] as? Bool ?? false)
        return (v.fitTransform, v.transform, { v.featureNames }, { v.idf })
    }

    static func expectEqual(_ got: SparseMatrix, _ want: Any?, tolerance: Double, _ name: String) {
        let w = matrix(want)
        #expect(got.shape == w.shape, "\(name): shape")
        #expect(got.rowPointers == w.indptr, "\(name): row pointers")
        #expect(got.columnIndices == w.indices, "\(name): column indices")
        guard got.values.count == w.data.count else { Issue.record("\(name): \(got.values.count) values, want \(w.data.count)"); return }
        let worst = maxRelativeError(got.values, w.data, floor: 1)
        #expect(worst <= tolerance, "\(name): max error \(worst)")
    }

    @Test(arguments: cases.map { $0["name"] as! String })
    func matchesScikitLearn(_ name: String) throws {
        let c = Self.cases.first { $0["name"] as! String == name }!
        let docs = Self.documents
        let v = Self.make(c)
        let tolerance = c["dtype"] as! String == "float32" ? 1e-6 : 1e-9
        let x = try v.fit((c["fit_docs"] as! [Int]).map { docs[$0] })
        #expect(v.names() == c["feature_names"] as! [String], "\(name): feature names")
        Self.expectEqual(x, c["matrix"], tolerance: tolerance, name)
        if let idfAny = c["idf"] {
            let idf = Self.doubles(idfAny)
            let worst = v.idf().count == idf.count ? maxAbsoluteError(v.idf(), idf) : .infinity
            #expect(v.idf().count == idf.count && worst <= tolerance, "\(name): idf")
        }
        if let t = c["transform_docs"] as? [Int] {
            Self.expectEqual(try v.transform(t.map { docs[$0] }), c["transformed"], tolerance: tolerance, "\(name) transform")
        }
    }

    @Test func analyzersAndOrdering() throws {
        let v = CountVectorizer(stopWords: .english, ngramRange: 1...2)
        let x = try v.fitTransform(["The cat sat.", "The cat sat on the mat."])
        #expect(v.featureNames == ["cat", "cat sat", "mat", "sat", "sat mat"])
        #expect(x.toDense() == [[1, 1, 0, 1, 0], [1, 1, 1, 1, 1]])
        #expect(NGrams.charactersWithinWords("ab  c", range: 2...3) == [" a", "ab", "b ", " ab", "ab ", " c", "c ", " c "])
        #expect(NGrams.characters("ab  c", range: 1...2) == ["a", "b", " ", "c", "ab", "b ", " c"])
        #expect(NGrams.words(["a", "b", "c"], range: 2...3) == ["a b", "b c", "a b c"])
        // Python sorts by code point: "Z" < "a" < "é" (Swift's String order is not code-point order).
        let u = CountVectorizer(lowercase: false)
        _ = try u.fitTransform(["éa Za ab"])
        #expect(u.featureNames == ["Za", "ab", "éa"])
        // NFC "é" and NFD "e\u{301}" are different terms for Python; Swift's String == would merge them.
        let w = CountVectorizer(tokenizer: { $0.split(separator: " ").map(String.init) })
        let y = try w.fitTransform(["\u{e9} e\u{301} \u{e9}"])
        #expect(w.featureNames.count == 2 && y.toDense() == [[1, 2]])
    }

    @Test func customPreprocessorAnalyzerAndFixedVocabulary() throws {
        let v = CountVectorizer(preprocessor: { $0.uppercased() }, vocabulary: ["CAT", "DOG"])
        #expect(try v.fitTransform(["cat dog cat", "bird"]).toDense() == [[2, 1], [0, 0]])
        #expect(v.vocabulary == ["CAT": 0, "DOG": 1])
        let c = CountVectorizer(analyzer: .custom { $0.split(separator: ",").map(String.init) })
        _ = try c.fitTransform(["b,a", "a,c"])
        #expect(c.featureNames == ["a", "b", "c"])
        #expect(try c.buildAnalyzer()("x,y") == ["x", "y"])
    }

    @Test func sparseMatrixConversions() throws {
        let m = try SparseMatrix(rows: 2, columns: 3, rowPointers: [0, 1, 3], columnIndices: [2, 0, 1], values: [5, 1, 2])
        #expect(m.toDense() == [[0, 0, 5], [1, 2, 0]])
        #expect(m[1, 1] == 2 && m[0, 0] == 0)
        #expect(m.toTensor().shape == [2, 3])
        #expect(m.columnSums() == [1, 2, 5] && m.columnNonzeroCounts() == [1, 1, 1])
        #expect(m.selectingRows([1]).toDense() == [[1, 2, 0]])
        #expect(throws: NLPError.self) { try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 2], columnIndices: [1, 0], values: [1, 1]) }
        #expect(throws: NLPError.self) { try SparseMatrix(rows: 1, columns: 2, rowPointers: [0, 1], columnIndices: [2], values: [1]) }
    }

    @Test func badInputsThrow() throws {
        #expect(throws: NLPError.self) { try CountVectorizer().fitTransform(["a b c", "!"]) }       // no token of 2+ chars
        #expect(throws: NLPError.self) { try CountVectorizer(stopWords: .english).fitTransform(["the and of"]) }
        #expect(throws: NLPError.self) { try CountVectorizer(maxDF: 1, minDF: 2).fitTransform(["aa bb", "aa cc"]) }
        #expect(throws: NLPError.self) { try CountVectorizer(minDF: 3).fitTransform(["aa bb", "aa cc"]) }
        #expect(throws: NLPError.self) { try CountVectorizer(maxDF: 1.5).fitTransform(["aa"]) }
        #expect(throws: NLPError.self) { try CountVectorizer(ngramRange: 0...1).fitTransform(["aa"]) }
        #expect(throws: NLPError.self) { try CountVectorizer(maxFeatures: 0).fitTransform(["aa"]) }
        #expect(throws: NLPError.self) { try CountVectorizer(vocabulary: ["aa", "aa"]).fitTransform(["aa"]) }
        #expect(throws: NLPError.self) { try CountVectorizer(tokenPattern: "(").fitTransform(["aa"]) }
        #expect(throws: NLPError.self) { try CountVectorizer().transform(["aa"]) }
        #expect(throws: NLPError.self) { try TfidfVectorizer().transform(["aa"]) }
        #expect(throws: NLPError.self) { try TfidfVectorizer(dtype: .int32).fitTransform(["aa"]) }
    }
}
