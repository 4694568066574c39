/// Irregular English forms used by `Lemmatizer`: form → lemma, by part of speech. Written for
/// SwiftLearn from standard English grammar (irregular verbs, plurals and comparatives).
public enum EnglishIrregularForms {
    /// Irregular verb forms (past, participle, present of be/have/do, and -ing forms that rules miss).
    public static let verbs: [String: String] = {
        var d: [String: String] = [
            "am": "be", "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "being": "be",
            "has": "have", "had": "have", "having": "have", "does": "do", "did": "do", "done": "do", "doing": "do",
            "goes": "go", "went": "go", "gone": "go", "lying": "lie", "dying": "die", "tying": "tie",
            "focused": "focus", "focusing": "focus", "visited": "visit", "visiting": "visit", "opened": "open",
            "happened": "happen", "listened": "listen", "offered": "offer", "entered": "enter", "answered": "answer",
            "developed": "develop", "considered": "consider", "covered": "cover", "remembered": "remember",
            "belonged": "belong", "longed": "long", "banged": "bang", "created": "create", "creating": "create",
            "added": "add", "adding": "add", "controlled": "control", "controlling": "control", "compelled": "compel",
            "expelled": "expel", "propelled": "propel", "travelled": "travel", "travelling": "travel",
            "labelled": "label", "modelled": "model", "cancelled": "cancel", "biased": "bias",
        ]
        // base: past, participle forms.
        let table: [(String, [String])] = [
            ("arise", ["arose", "arisen"]), ("awake", ["awoke", "awoken"]), ("bear", ["bore", "borne", "born"]),
            ("beat", ["beaten"]), ("become", ["became"]), ("begin", ["began", "begun"]), ("bend", ["bent"]),
            ("bet", ["bet"]), ("bind", ["bound"]), ("bite", ["bit", "bitten"]), ("bleed", ["bled"]), ("blow", ["blew", "blown"]),
            ("break", ["broke", "broken"]), ("breed", ["bred"]), ("bring", ["brought"]), ("build", ["built"]),
            ("burn", ["burnt"]), ("buy", ["bought"]), ("catch", ["caught"]), ("choose", ["chose", "chosen"]),
            ("cling", ["clung"]), ("come", ["came"]), ("cost", ["cost"]), ("creep", ["crept"]), ("cut", ["cut"]),
            ("deal", ["dealt"]), ("dig", ["dug"]), ("draw", ["drew", "drawn"]), ("dream", ["dreamt"]), ("drink", ["drank", "drunk"]),
            ("drive", ["drove", "driven"]), ("eat", ["ate", "eaten"]), ("fall", ["fell", "fallen"]), ("feed", ["fed"]),
            ("feel", ["felt"]), ("fight", ["fought"]), ("find", ["found"]), ("flee", ["fled"]), ("fly", ["flew", "flown"]),
            ("forbid", ["forbade", "forbidden"]), ("forget", ["forgot", "forgotten"]), ("forgive", ["forgave", "forgiven"]),
            ("freeze", ["froze", "frozen"]), ("get", ["got", "gotten"]), ("give", ["gave", "given"]), ("grind", ["ground"]),
            ("grow", ["grew", "grown"]), ("hang", ["hung"]), ("hear", ["heard"]), ("hide", ["hid", "hidden"]),
            ("hit", ["hit"]), ("hold", ["held"]), ("hurt", ["hurt"]), ("keep", ["kept"]), ("kneel", ["knelt"]),
            ("know", ["knew", "known"]), ("lay", ["laid"]), ("lead", ["led"]), ("leap", ["leapt"]), ("learn", ["learnt"]),
            ("leave", ["left"]), ("lend", ["lent"]), ("let", ["let"]), ("lie", ["lay", "lain"]), ("light", ["lit"]),
            ("lose", ["lost"]), ("make", ["made"]), ("mean", ["meant"]), ("meet", ["met"]), ("pay", ["paid"]),
            ("put", ["put"]), ("quit", ["quit"]), ("read", ["read"]), ("ride", ["rode", "ridden"]), ("ring", ["rang", "rung"]),
            ("rise", ["rose", "risen"]), ("run", ["ran"]), ("say", ["said"]), ("see", ["saw", "seen"]), ("seek", ["sought"]),
            ("sell", ["sold"]), ("send", ["sent"]), ("set", ["set"]), ("shake", ["shook", "shaken"]), ("shine", ["shone"]),
            ("shoot", ["shot"]), ("show", ["shown"]), ("shrink", ["shrank", "shrunk"]), ("shut", ["shut"]),
            ("sing", ["sang", "sung"]), ("sink", ["sank", "sunk"]), ("sit", ["sat"]), ("sleep", ["slept"]), ("slide", ["slid"]),
            ("speak", ["spoke", "spoken"]), ("speed", ["sped"]), ("spend", ["spent"]), ("spin", ["spun"]), ("spread", ["spread"]),
            ("stand", ["stood"]), ("steal", ["stole", "stolen"]), ("stick", ["stuck"]), ("sting", ["stung"]),
            ("strike", ["struck", "stricken"]), ("swear", ["swore", "sworn"]), ("sweep", ["swept"]), ("swim", ["swam", "swum"]),
            ("swing", ["swung"]), ("take", ["took", "taken"]), ("teach", ["taught"]), ("tear", ["tore", "torn"]),
            ("tell", ["told"]), ("think", ["thought"]), ("throw", ["threw", "thrown"]), ("understand", ["understood"]),
            ("wake", ["woke", "woken"]), ("wear", ["wore", "worn"]), ("weep", ["wept"]), ("win", ["won"]),
            ("wind", ["wound"]), ("write", ["wrote", "written"]), ("withdraw", ["withdrew", "withdrawn"]),
        ]
        for (base, forms) in table { for f in forms where d[f] == nil { d[f] = base } }
        return d
    }()

    /// Irregular plurals.
    public static let nouns: [String: String] = [
        "men": "man", "women": "woman", "children": "child", "mice": "mouse", "lice": "louse", "feet": "foot",
        "teeth": "tooth", "geese": "goose", "people": "person", "oxen": "ox", "dice": "die", "data": "datum",
        "analyses": "analysis", "bases": "basis", "crises": "crisis", "theses": "thesis", "hypotheses": "hypothesis",
        "diagnoses": "diagnosis", "axes": "axis", "phenomena": "phenomenon", "criteria": "criterion",
        "indices": "index", "matrices": "matrix", "vertices": "vertex", "appendices": "appendix", "cacti": "cactus",
        "fungi": "fungus", "nuclei": "nucleus", "radii": "radius", "stimuli": "stimulus", "syllabi": "syllabus",
        "alumni": "alumnus", "bacteria": "bacterium", "curricula": "curriculum", "media": "medium", "memoranda": "memorandum",
        "knives": "knife", "wives": "wife", "lives": "life", "leaves": "leaf", "wolves": "wolf", "halves": "half",
        "shelves": "shelf", "selves": "self", "thieves": "thief", "loaves": "loaf", "calves": "calf", "elves": "elf",
        "scarves": "scarf", "hooves": "hoof", "movies": "movie", "cookies": "cookie", "pies": "pie", "ties": "tie",
        "lies": "lie", "zombies": "zombie", "shoes": "shoe", "toes": "toe", "canoes": "canoe", "horses": "horse",
        "houses": "house", "cases": "case", "vases": "vase", "phrases": "phrase", "purposes": "purpose", "uses": "use",
        "causes": "cause", "courses": "course", "responses": "response", "licenses": "license", "senses": "sense",
        "buses": "bus", "gases": "gas", "quizzes": "quiz", "sizes": "size", "prizes": "prize",
    ]

    /// Nouns whose plural is the same word (or that look plural).
    public static let invariantNouns: Set<String> = [
        "series", "species", "news", "physics", "mathematics", "economics", "politics", "ethics", "statistics",
        "means", "sheep", "deer", "fish", "aircraft", "headquarters", "crossroads", "lens", "always", "perhaps",
    ]

    /// Irregular comparatives and superlatives.
    public static let adjectives: [String: String] = [
        "better": "good", "best": "good", "worse": "bad", "worst": "bad", "more": "many", "most": "many",
        "less": "little", "least": "little", "further": "far", "furthest": "far", "farther": "far", "farthest": "far",
        "elder": "old", "eldest": "old",
    ]

    /// Irregular adverb forms.
    public static let adverbs: [String: String] = [
        "better": "well", "best": "well", "worse": "badly", "worst": "badly", "further": "far", "farther": "far",
    ]
}
