import Foundation
import Testing
import Learn
import Datasets
import TestSupport

/// Reading the prep fixtures (NaN and ±inf are stored as strings).
enum PrepFx {
    static func load(_ name: String) throws -> [String: Any] { try LearnFixtures.json(name) as! [String: Any] }
    static func num(_ a: Any) -> Double {
        if let n = a as? NSNumber { return n.doubleValue }
        switch a as! String { case "nan": return .nan; case "inf": return .infinity; default: return -.infinity }
    }
    static func doubles(_ a: Any) -> [Double] { (a as! [Any]).map(num) }
    static func ints(_ a: Any) -> [Int] { (a as! [Any]).map { ($0 as! NSNumber).intValue } }
    static func bools(_ a: Any) -> [Bool] { (a as! [Any]).map { ($0 as! NSNumber).boolValue } }
    static func matrix(_ a: Any) -> Matrix { Matrix((a as! [Any]).map(doubles)) }
    static func dict(_ a: Any?) -> [String: Any] { a as! [String: Any] }
    /// Largest relative error, NaN matching NaN.
    static func err(_ a: [Double], _ b: [Double], floor: Double = 1e-12) -> Double {
        precondition(a.count == b.count, "lengths \(a.count) vs \(b.count)")
        var worst = 0.0
        for (x, y) in zip(a, b) {
            if x.isNaN || y.isNaN { if !(x.isNaN && y.isNaN) { return .infinity }; continue }
            if x == y { continue }
            worst = worse(worst, abs(x - y) / max(abs(y), floor))
        }
        return worst
    }
    static func err(_ a: Matrix, _ b: Matrix) -> Double {
        a.rows == b.rows && a.columns == b.columns ? err(a.values, b.values) : .infinity
    }
    static func head(_ m: Matrix, _ n: Int) -> Matrix { m.rows(Array(0..<min(n, m.rows))) }
}

@Suite struct PreprocessingTests {
    static let sets: [(BundledDataset, String)] = [(.iris, "iris"), (.wine, "wine"), (.breastCancer, "breast_cancer"),
                                                   (.digits, "digits"), (.diabetes, "diabetes"), (.diamonds, "diamonds")]

    @Test func scalersMatchScikitLearnOnBundledSplits() throws {
        let fx = try PrepFx.load("prep_scalers")
        for (set, key) in Self.sets {
            let (train, test) = try LearnFixtures.split(set)
            let d = PrepFx.dict(fx[key])
            let xt = PrepFx.head(test.features, 12)
            let s = StandardScaler()
            try s.fit(train.features)
            let sd = PrepFx.dict(d["standard"])
            #expect(PrepFx.err(s.mean!, PrepFx.doubles(sd["mean"]!)) < 1e-9, "\(key) mean")
            #expect(PrepFx.err(s.variance!, PrepFx.doubles(sd["var"]!)) < 1e-9, "\(key) var")
            #expect(PrepFx.err(try s.transform(xt), PrepFx.matrix(sd["test"]!)) < 1e-9, "\(key) standard")
            #expect(PrepFx.err(try s.inverseTransform(try s.transform(xt)).values, xt.values, floor: 1e-3) < 1e-9)

            let mm = MinMaxScaler()
            try mm.fit(train.features)
            let md = PrepFx.dict(d["minmax"])
            #expect(PrepFx.err(mm.scale, PrepFx.doubles(md["scale"]!)) < 1e-9)
            #expect(PrepFx.err(try mm.transform(xt), PrepFx.matrix(md["test"]!)) < 1e-9, "\(key) minmax")
            let mc = MinMaxScaler(featureRange: (-1, 2), clip: true)
            try mc.fit(train.features)
            #expect(PrepFx.err(try mc.transform(xt), PrepFx.matrix(PrepFx.dict(d["minmax_clip"])["test"]!)) < 1e-9, "\(key) clip")

            let r = RobustScaler()
            try r.fit(train.features)
            let rd = PrepFx.dict(d["robust"])
            #expect(PrepFx.err(r.center!, PrepFx.doubles(rd["center"]!)) < 1e-9)
            #expect(PrepFx.err(try r.transform(xt), PrepFx.matrix(rd["test"]!)) < 1e-9, "\(key) robust")
            let ru = RobustScaler(quantileRange: (10, 90), unitVariance: true)
            try ru.fit(train.features)
            let rud = PrepFx.dict(d["robust_uv"])
            #expect(PrepFx.err(ru.scale!, PrepFx.doubles(rud["scale"]!)) < 1e-9, "\(key) robust uv scale")
            #expect(PrepFx.err(try ru.transform(xt), PrepFx.matrix(rud["test"]!)) < 1e-9, "\(key) robust uv")

            for norm in ["l2", "l1", "max"] {
                let n = Normalizer(norm: norm)
                try n.fit(train.features)
                #expect(PrepFx.err(try n.transform(xt), PrepFx.matrix(d["normalizer_" + norm]!)) < 1e-9, "\(key) \(norm)")
            }
        }
    }

    @Test func scalerEdgeCasesConstantColumnsAndNaN() throws {
        let e = PrepFx.dict(try PrepFx.load("prep_scalers")["edge"])
        let x = PrepFx.matrix(e["x"]!), t = PrepFx.matrix(e["t"]!)
        let cases: [(String, any InvertibleTransformer)] = [("standard", StandardScaler()), ("standard_nomean", StandardScaler(withMean: false)),
                                                            ("minmax", MinMaxScaler()), ("robust", RobustScaler())]
        for (key, s) in cases {
            try s.fit(x, target: nil)
            let d = PrepFx.dict(e[key])
            #expect(PrepFx.err(try s.transform(t), PrepFx.matrix(d["test"]!)) < 1e-9, "\(key)")
            #expect(PrepFx.err(try s.inverseTransform(try s.transform(t)), PrepFx.matrix(d["inverse"]!)) < 1e-9, "\(key) inverse")
        }
    }

    @Test func oneHotAndOrdinalEncodersMatchScikitLearn() throws {
        let fx = try PrepFx.load("prep_encoders")
        let x = PrepFx.matrix(fx["x"]!), t = PrepFx.matrix(fx["t"]!)
        let known = PrepFx.head(t, 2)
        let cases: [(String, OneHotEncoder, Bool)] = [
            ("default", OneHotEncoder(), false), ("drop_first", OneHotEncoder(drop: "first"), false),
            ("if_binary", OneHotEncoder(drop: "if_binary"), false), ("ignore", OneHotEncoder(handleUnknown: "ignore"), true),
            ("infreq", OneHotEncoder(handleUnknown: "infrequent_if_exist", minFrequency: 6), true),
            ("infreq_frac", OneHotEncoder(drop: "first", handleUnknown: "infrequent_if_exist", minFrequency: 0.2), true),
        ]
        for (key, enc, unknownOK) in cases {
            try enc.fit(x)
            let d = PrepFx.dict(fx["onehot_" + key])
            #expect(try enc.outputFeatureNames() == (d["names"] as! [String]), "\(key) names")
            #expect(PrepFx.err(try enc.transform(unknownOK ? t : known), PrepFx.matrix(d["test"]!)) == 0, "\(key) values")
        }
        let strict = OneHotEncoder()
        try strict.fit(x)
        #expect(throws: LearnError.self) { try strict.transform(t) }
        // Round trip without unknowns.
        #expect(PrepFx.err(try strict.inverseTransform(try strict.transform(known)), known) == 0)

        let ord = OrdinalEncoder()
        try ord.fit(x)
        #expect(PrepFx.err(try ord.transform(known), PrepFx.matrix(PrepFx.dict(fx["ordinal"])["test"]!)) == 0)
        #expect(throws: LearnError.self) { try ord.transform(t) }
        #expect(PrepFx.err(try ord.inverseTransform(try ord.transform(known)), known) == 0)
        let ou = OrdinalEncoder(handleUnknown: "use_encoded_value", unknownValue: -1)
        try ou.fit(x)
        #expect(PrepFx.err(try ou.transform(t), PrepFx.matrix(PrepFx.dict(fx["ordinal_unknown"])["test"]!)) == 0)
        #expect(throws: LearnError.self) { try OrdinalEncoder(handleUnknown: "use_encoded_value", unknownValue: 1).fit(x) }

        let nd = PrepFx.dict(fx["ordinal_nan"])
        let xn = PrepFx.matrix(nd["x"]!)
        let on = OrdinalEncoder()
        try on.fit(xn)
        #expect(PrepFx.err(try on.transform(PrepFx.head(xn, 10)), PrepFx.matrix(nd["test"]!)) == 0)
        let hn = OneHotEncoder()
        try hn.fit(xn)
        let hd = PrepFx.dict(fx["onehot_nan"])
        #expect(try hn.outputFeatureNames() == (hd["names"] as! [String]))
        #expect(PrepFx.err(try hn.transform(PrepFx.head(xn, 10)), PrepFx.matrix(hd["test"]!)) == 0)
    }

    @Test func encodersOnDigitsPixelCodes() throws {
        let fx = try PrepFx.load("prep_encoders")
        let (train, test) = try LearnFixtures.split(.digits)
        let cols = [2, 3, 10, 20]
        let xtr = train.features.columns(cols), xte = test.features.columns(cols)
        let oh = OneHotEncoder(handleUnknown: "ignore")
        try oh.fit(xtr)
        let d = PrepFx.dict(fx["digits_onehot"])
        #expect(try oh.outputFeatureNames() == (d["names"] as! [String]))
        #expect(PrepFx.err(try oh.transform(PrepFx.head(xte, 12)), PrepFx.matrix(d["test"]!)) == 0)
        let od = OrdinalEncoder(handleUnknown: "use_encoded_value", unknownValue: -1)
        try od.fit(xtr)
        #expect(PrepFx.err(try od.transform(xte), PrepFx.matrix(PrepFx.dict(fx["digits_ordinal"])["test"]!)) == 0)
        let imp = SimpleImputer(strategy: "median", missingValues: 0)
        try imp.fit(xtr)
        let di = PrepFx.dict(fx["digits_impute"])
        #expect(PrepFx.err(imp.statistics, PrepFx.doubles(di["statistics"]!)) == 0)
        #expect(PrepFx.err(try imp.transform(PrepFx.head(xte, 12)), PrepFx.matrix(di["test"]!)) == 0)
    }

    @Test func labelEncoderOnStrings() throws {
        var le = LabelEncoder<String>()
        let codes = try le.fitTransform(["paris", "tokyo", "amsterdam", "paris"])
        #expect(le.classes == ["amsterdam", "paris", "tokyo"])
        #expect(codes == [1, 2, 0, 1])
        #expect(try le.inverseTransform([2, 0]) == ["tokyo", "amsterdam"])
        #expect(throws: LearnError.self) { try le.transform(["rome"]) }
        #expect(throws: LearnError.self) { try le.inverseTransform([3]) }
        #expect(throws: LearnError.self) { try LabelEncoder<String>().transform(["a"]) }
        let data = try JSONEncoder().encode(le)
        let back = try JSONDecoder().decode(LabelEncoder<String>.self, from: data)
        #expect(try back.transform(["tokyo"]) == [2])
    }

    @Test func simpleImputerMatchesScikitLearn() throws {
        let fx = try PrepFx.load("prep_encoders")
        let x = PrepFx.matrix(fx["impute_x"]!), t = PrepFx.matrix(fx["impute_t"]!)
        for strategy in ["mean", "median", "most_frequent", "constant"] {
            for indicator in [false, true] {
                let imp = SimpleImputer(strategy: strategy, fillValue: strategy == "constant" ? -1 : nil, addIndicator: indicator)
                try imp.fit(x)
                let d = PrepFx.dict(fx["impute_\(strategy)_\(indicator ? 1 : 0)"])
                #expect(PrepFx.err(imp.statistics, PrepFx.doubles(d["statistics"]!)) < 1e-12, "\(strategy) stats")
                #expect(PrepFx.err(try imp.transform(t), PrepFx.matrix(d["test"]!)) < 1e-12, "\(strategy) \(indicator)")
            }
        }
        let zeroed = Matrix(rows: x.rows, columns: x.columns, values: x.values.map { $0.isNaN ? 0 : $0 })
        let tz = Matrix(rows: t.rows, columns: t.columns, values: t.values.map { $0.isNaN ? 2 : $0 })
        let iv = SimpleImputer(strategy: "median", missingValues: 2)
        try iv.fit(zeroed)
        let d = PrepFx.dict(fx["impute_value"])
        #expect(PrepFx.err(iv.statistics, PrepFx.doubles(d["statistics"]!)) < 1e-12)
        #expect(PrepFx.err(try iv.transform(tz), PrepFx.matrix(d["test"]!)) < 1e-12)
    }

    @Test func polynomialFeaturesMatchScikitLearn() throws {
        let fx = try PrepFx.load("prep_encoders")
        let (train, test) = try LearnFixtures.split(.iris)
        let xt = PrepFx.head(test.features, 12)
        let cases: [(String, PolynomialFeatures)] = [("d2", PolynomialFeatures()), ("d3_inter", PolynomialFeatures(degree: 3, interactionOnly: true)),
                                                    ("d3_nobias", PolynomialFeatures(degree: 3, includeBias: false)),
                                                    ("d23", PolynomialFeatures(degree: 3, minDegree: 2))]
        for (key, p) in cases {
            try p.fit(train.features)
            let d = PrepFx.dict(fx["poly_" + key])
            #expect(try p.outputFeatureNames() == (d["names"] as! [String]), "\(key)")
            #expect(p.powers == (d["powers"] as! [[Any]]).map { $0.map { ($0 as! NSNumber).intValue } })
            #expect(PrepFx.err(try p.transform(xt), PrepFx.matrix(d["test"]!)) < 1e-12, "\(key)")
        }
    }

    @Test func badInputsAndParametersThrow() throws {
        let x = Matrix([[1, 2], [3, 4], [5, 7]])
        let nanX = Matrix([[1, .nan], [3, 4]])
        #expect(throws: LearnError.self) { try StandardScaler().transform(x) }
        #expect(throws: LearnError.self) { try MinMaxScaler(featureRange: (1, 0)).fit(x) }
        #expect(throws: LearnError.self) { try RobustScaler(quantileRange: (80, 20)).fit(x) }
        #expect(throws: LearnError.self) { try Normalizer().fit(nanX) }
        #expect(throws: LearnError.self) { try PolynomialFeatures().fit(nanX) }
        #expect(throws: LearnError.self) { try StandardScaler().fit(Matrix(rows: 0, columns: 2)) }
        #expect(throws: LearnError.self) { try Normalizer(norm: "l3").fit(x) }
        #expect(throws: LearnError.self) { try StandardScaler().setParameter("with_median", true) }
        #expect(throws: LearnError.self) { try Normalizer().setParameter("norm", "l7") }
        let s = StandardScaler()
        try s.fit(x)
        #expect(throws: LearnError.self) { try s.transform(Matrix([[1, 2, 3]])) }
        // NaN passes through StandardScaler.
        try s.fit(nanX)
        #expect(try s.transform(nanX)[0, 1].isNaN)
        #expect(throws: LearnError.self) { try SimpleImputer(strategy: "mode").fit(x) }
    }

    @Test func clonesParametersAndModelFilesRoundTrip() throws {
        ModelRegistry.register([StandardScaler.self, MinMaxScaler.self, RobustScaler.self, Normalizer.self, OneHotEncoder.self,
                                OrdinalEncoder.self, SimpleImputer.self, PolynomialFeatures.self, SelectKBest.self])
        let (train, test) = try LearnFixtures.split(.wine)
        let ts: [any Transformer] = [StandardScaler(withMean: false), MinMaxScaler(featureRange: (-2, 3)), RobustScaler(unitVariance: true),
                                     Normalizer(norm: "l1"), SimpleImputer(strategy: "median", addIndicator: true),
                                     PolynomialFeatures(degree: 2, interactionOnly: true), SelectKBest(k: 4)]
        for t in ts {
            let c = MSClone.clone(t) as! any Transformer
            #expect(c.parameters.mapValues(\.description) == t.parameters.mapValues(\.description), "\(type(of: t).modelName)")
            try t.fit(train.features, target: .classes(train.labels))
            let back = try ModelFile.decode(try ModelFile.encode(t)).estimator as! any Transformer
            #expect(try back.transform(test.features) == (try t.transform(test.features)), "\(type(of: t).modelName)")
        }
        let codes = Matrix(column: train.labels.map(Double.init))
        for t in [OneHotEncoder(drop: "first"), OrdinalEncoder()] as [any Transformer] {
            try t.fit(codes, target: nil)
            let back = try ModelFile.decode(try ModelFile.encode(t)).estimator as! any Transformer
            #expect(try back.transform(codes) == (try t.transform(codes)))
        }
        let m = MinMaxScaler()
        try m.setParameter("feature_range", .list([.int(-1), .int(1)]))
        try m.setParameter("clip", true)
        #expect(m.featureRangeLow == -1 && m.featureRangeHigh == 1 && m.clip)
        let p = PolynomialFeatures()
        try p.setParameter("degree", .list([2, 3]))
        #expect(p.minDegree == 2 && p.degree == 3)
    }
}

/// Opens an existential estimator to call `cloned()`.
enum MSClone {
    static func clone(_ e: any Estimator) -> any Estimator {
        func open<E: Estimator>(_ e: E) -> any Estimator { e.cloned() }
        return open(e)
    }
}
