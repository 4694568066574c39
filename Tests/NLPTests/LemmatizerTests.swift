import Testing
import NLP

/// The lemmatizer on a word list of regular and irregular English forms (written for these tests).
@Suite struct LemmatizerTests {
    static let nouns = [
        ("cats", "cat"), ("cities", "city"), ("babies", "baby"), ("boxes", "box"), ("churches", "church"), ("dishes", "dish"),
        ("classes", "class"), ("potatoes", "potato"), ("heroes", "hero"), ("days", "day"), ("keys", "key"), ("photos", "photo"),
        ("glass", "glass"), ("status", "status"), ("analysis", "analysis"), ("series", "series"), ("bonuses", "bonus"),
        ("children", "child"), ("mice", "mouse"), ("feet", "foot"), ("people", "person"), ("knives", "knife"), ("leaves", "leaf"),
        ("matrices", "matrix"), ("criteria", "criterion"), ("phenomena", "phenomenon"), ("analyses", "analysis"),
        ("houses", "house"), ("movies", "movie"), ("processes", "process"), ("quizzes", "quiz"), ("wolves", "wolf"),
        ("Tokens", "token"), ("vectors", "vector"), ("sheep", "sheep"),
    ]
    static let verbs = [
        ("running", "run"), ("ran", "run"), ("makes", "make"), ("making", "make"), ("made", "make"), ("hoped", "hope"),
        ("hoping", "hope"), ("hopped", "hop"), ("stopped", "stop"), ("jumped", "jump"), ("played", "play"), ("playing", "play"),
        ("studies", "study"), ("studied", "study"), ("studying", "study"), ("cried", "cry"), ("watches", "watch"), ("fixes", "fix"),
        ("buzzes", "buzz"), ("goes", "go"), ("went", "go"), ("gone", "go"), ("is", "be"), ("were", "be"), ("been", "be"),
        ("has", "have"), ("did", "do"), ("created", "create"), ("related", "relate"), ("treated", "treat"), ("organized", "organize"),
        ("troubled", "trouble"), ("judged", "judge"), ("charged", "charge"), ("changed", "change"), ("settled", "settle"),
        ("loved", "love"), ("continued", "continue"), ("danced", "dance"), ("introduced", "introduce"), ("caused", "cause"),
        ("used", "use"), ("raised", "raise"), ("passed", "pass"), ("called", "call"), ("agreed", "agree"), ("needed", "need"),
        ("proceed", "proceed"), ("seeing", "see"), ("singing", "sing"), ("writing", "write"), ("written", "write"),
        ("reading", "read"), ("eating", "eat"), ("coming", "come"), ("giving", "give"), ("thinking", "think"), ("thought", "think"),
        ("opened", "open"), ("visited", "visit"), ("wanted", "want"), ("lying", "lie"), ("taught", "teach"), ("bought", "buy"),
        ("chosen", "choose"), ("fell", "fall"), ("sampled", "sample"), ("focused", "focus"), ("added", "add"), ("sized", "size"),
    ]
    static let adjectives = [
        ("bigger", "big"), ("biggest", "big"), ("larger", "large"), ("nicer", "nice"), ("later", "late"), ("faster", "fast"),
        ("happier", "happy"), ("easiest", "easy"), ("simpler", "simple"), ("wider", "wide"), ("taller", "tall"), ("older", "old"),
        ("newer", "new"), ("greater", "great"), ("hotter", "hot"), ("finest", "fine"), ("strongest", "strong"), ("slower", "slow"),
        ("clearer", "clear"), ("closer", "close"), ("better", "good"), ("best", "good"), ("worse", "bad"), ("worst", "bad"),
        ("further", "far"), ("red", "red"),
    ]

    @Test func wordList() {
        let l = Lemmatizer()
        var wrong: [String] = []
        for (pos, list) in [(Lemmatizer.PartOfSpeech.noun, Self.nouns), (.verb, Self.verbs), (.adjective, Self.adjectives)] {
            for (w, e) in list where l.lemmatize(w, as: pos) != e { wrong.append("\(w)/\(pos)→\(l.lemmatize(w, as: pos)) (want \(e))") }
        }
        #expect(wrong.isEmpty, "\(wrong)")
        #expect(Self.nouns.count + Self.verbs.count + Self.adjectives.count > 130)
    }

    @Test func adverbsExceptionsAndShortWords() {
        let l = Lemmatizer(exceptions: ["geese": "goose", "octopi": "octopus"])
        #expect(l.lemmatize("better", as: .adverb) == "well")
        #expect(l.lemmatize("quickly", as: .adverb) == "quickly")
        #expect(l.lemmatize("octopi") == "octopus")
        #expect(l.lemmatize("is", as: .noun) == "is" && l.lemmatize("as") == "as")
        #expect(l.lemmatize("3d-models") == "3d-models")
        #expect(l.lemmatize(["dogs", "Geese"]) == ["dog", "goose"])
    }
}
