import Testing
import NLP

@Suite struct NLPDemosTests {
    @Test func bagOfWords() throws {
        let d = try NLPDemos.bagOfWords()
        #expect(d.counts.rows == NLPDemos.sampleDocuments.count && d.tfidf.shape == d.counts.shape)
        #expect(!d.featureNames.contains("the") && d.featureNames.contains("tokenizer"))
        let threeEach = d.topTerms.allSatisfy { $0.count == 3 }
        #expect(threeEach)
        for i in 0..<d.tfidf.rows {   // rows are L2-normalized
            let norm = d.tfidf.row(i).reduce(0) { $0 + $1.value * $1.value }
            #expect(abs(norm - 1) < 1e-12)
        }
    }

    @Test func bytePairEncoding() throws {
        let (tok, examples) = try NLPDemos.bytePairEncoding()
        #expect(tok.vocabularySize <= 400)
        let allRoundTrip = examples.allSatisfy { $0.roundTrips }
        #expect(allRoundTrip)
        // A frequent word of the training text is one token (with its leading space).
        #expect(examples[0].tokens.contains("Ġtokenizer"))
        #expect(examples[1].ids.count > 2)
    }
}
