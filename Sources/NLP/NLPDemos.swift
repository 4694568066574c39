/// Small, self-contained demonstrations of the NLP module for the roadmap's lessons: a bag of
/// words with TF-IDF weights, and byte-pair encoding trained on a short bundled text.
public enum NLPDemos {
    /// A short text written for SwiftLearn (one document per entry) that the demos use.
    public static let sampleDocuments: [String] = [
        "Machine learning finds patterns in data and uses them to make predictions.",
        "A tokenizer splits text into tokens; a vocabulary maps every token to an id.",
        "Byte-pair encoding starts from single bytes and merges the most frequent pair again and again.",
        "Frequent words become single tokens, while rare words are split into several pieces.",
        "The bag-of-words model counts how often each word appears in a document and ignores word order.",
        "TF-IDF weighs a word by its count in a document and by how rare it is across all documents.",
        "Words that appear in every document, such as the, carry little information and get a low weight.",
        "Stemming cuts words to a common stem, and lemmatization maps them to their dictionary form.",
        "Search engines rank documents by how well their words match the words of a query.",
        "Neural language models read token ids, not characters, so the tokenizer decides what they see.",
        "Unicode text may hold accents like café and naïve, Chinese like 東京, and emoji like 🙂.",
        "A good tokenizer turns any text into ids and back again without losing a single byte.",
    ]

    /// The result of `bagOfWords()`.
    public struct BagOfWords: Sendable {
        /// The documents.
        public let documents: [String]
        /// The vocabulary in column order.
        public let featureNames: [String]
        /// Word counts `[documents, terms]`.
        public let counts: SparseMatrix
        /// L2-normalized TF-IDF weights `[documents, terms]`.
        public let tfidf: SparseMatrix
        /// For each document, its `k` highest-weighted terms with their weights.
        public let topTerms: [[(term: String, weight: Double)]]
    }

    /// Counts and TF-IDF weights of `documents` (English stop words removed) and each document's
    /// top `k` terms.
    public static func bagOfWords(_ documents: [String] = sampleDocuments, top k: Int = 3) throws -> BagOfWords {
        let counter = CountVectorizer(stopWords: .english)
        let counts = try counter.fitTransform(documents)
        let tfidf = TfidfVectorizer(stopWords: .english)
        let weights = try tfidf.fitTransform(documents)
        let names = tfidf.featureNames
        let top = (0..<weights.rows).map { i in
            weights.row(i).sorted { $0.value != $1.value ? $0.value > $1.value : $0.column < $1.column }
                .prefix(k).map { (names[$0.column], $0.value) }
        }
        return BagOfWords(documents: documents, featureNames: counter.featureNames, counts: counts, tfidf: weights, topTerms: top)
    }

    /// One example of `bytePairEncoding()`.
    public struct Encoded: Sendable {
        /// The input text.
        public let text: String
        /// Its token strings (byte-level: `Ġ` stands for a space).
        public let tokens: [String]
        /// Its ids.
        public let ids: [Int]
        /// Whether decoding the ids gives back the text exactly.
        public let roundTrips: Bool
    }

    /// Trains a byte-level BPE tokenizer on `documents` and encodes a few `examples`, showing how
    /// frequent words become single tokens and any text (accents, CJK, emoji) round-trips.
    public static func bytePairEncoding(_ documents: [String] = sampleDocuments, vocabularySize: Int = 400,
                                        examples: [String] = ["the tokenizer merges frequent pairs", "unfamiliar wordplay", "café 東京 🙂"])
        throws -> (tokenizer: BPETokenizer, examples: [Encoded]) {
        let tok = try BPETokenizer.train(corpus: documents, vocabularySize: vocabularySize, specialTokens: ["<|endoftext|>"])
        let encoded = examples.map { text -> Encoded in
            let (ids, tokens) = tok.encodeWithTokens(text)
            return Encoded(text: text, tokens: tokens, ids: ids, roundTrips: tok.decode(ids) == text)
        }
        return (tok, encoded)
    }
}
