import Foundation
import Testing
import Learn
import Datasets

/// The scikit-learn contract, checked uniformly for every built-in estimator (`ModelRegistry.builtIn`;
/// other suites register test-only types that are deliberately minimal): bad data
/// throws (never traps), predict before fit throws, parameters round-trip through `cloned()`,
/// unknown parameters name the valid ones, and a saved model predicts exactly as the original.
@Suite struct EstimatorContractTests {
    static let supervisedNames = ModelRegistry.builtIn.filter { t in
        let e = t.init()
        return e is any Classifier || e is any Regressor
    }.map { $0.modelName }

    /// Classifiers that scikit-learn fits on a single class (no second class needed).
    static let acceptsOneClass: Set<String> = ["gaussian-nb", "multinomial-nb", "bernoulli-nb", "knn", "decision-tree",
                                               "random-forest", "extra-trees"]

    /// Small, fast settings so the sweep stays quick (ensembles with fewer members, t-SNE shorter).
    func make(_ name: String) throws -> any Estimator {
        let e = try ModelRegistry.make(name)
        for (k, v) in ["n_estimators": ParamValue.int(10), "max_iter": .int(300)] where e.parameters[k] != nil {
            if name.hasPrefix("hist-") || name.hasPrefix("tsne") || name.contains("sgd") || name == "logistic-regression" { continue }
            try e.setParameter(k, v)
        }
        return e
    }

    @Test func everySupervisedEstimatorRejectsBadData() throws {
        let iris = try Datasets.load(.iris)
        for name in Self.supervisedNames where name != "pipeline" {
            let e = try make(name)
            var withNaN = iris.features
            withNaN[3, 1] = .nan
            var withInf = iris.features
            withInf[5, 0] = .infinity
            let empty = Matrix(rows: 0, columns: 4)
            switch e {
            case let c as any Classifier:
                #expect(throws: LearnError.self, "\(name): predict before fit") { _ = try c.predict(iris.features) }
                if !name.hasPrefix("hist-gradient-boosting") {
                    #expect(throws: LearnError.self, "\(name): NaN") { try c.fit(withNaN, iris.labels) }
                }
                #expect(throws: LearnError.self, "\(name): inf") { try c.fit(withInf, iris.labels) }
                #expect(throws: LearnError.self, "\(name): empty") { try c.fit(empty, []) }
                #expect(throws: LearnError.self, "\(name): lengths") { try c.fit(iris.features, Array(iris.labels.dropLast())) }
                if Self.acceptsOneClass.contains(name) {
                    // scikit-learn fits these on a single class too; they then always predict it.
                    try c.fit(iris.features.rows(Array(0..<50)), Array(iris.labels[0..<50]))
                    #expect(Set(try c.predict(iris.features)) == [0], "\(name): one class")
                } else {
                    #expect(throws: LearnError.self, "\(name): one class") { try c.fit(iris.features.rows(Array(0..<50)), Array(iris.labels[0..<50])) }
                }
                try c.fit(iris.features, iris.labels)
                #expect(throws: LearnError.self, "\(name): feature count") { _ = try c.predict(iris.features.columns([0, 1])) }
            case let r as any Regressor:
                let y = iris.features.column(3)
                let x = iris.features.columns([0, 1, 2])
                #expect(throws: LearnError.self, "\(name): predict before fit") { _ = try r.predict(x) }
                #expect(throws: LearnError.self, "\(name): inf") { try r.fit(withInf.columns([0, 1, 2]), y) }
                #expect(throws: LearnError.self, "\(name): empty") { try r.fit(Matrix(rows: 0, columns: 3), []) }
                #expect(throws: LearnError.self, "\(name): lengths") { try r.fit(x, Array(y.dropLast())) }
                var badY = y
                badY[7] = .nan
                #expect(throws: LearnError.self, "\(name): NaN target") { try r.fit(x, badY) }
                try r.fit(x, y)
                #expect(throws: LearnError.self, "\(name): feature count") { _ = try r.predict(iris.features) }
            default:
                Issue.record("\(name) is neither a classifier nor a regressor")
            }
        }
    }

    @Test func parametersCloneAndUnknownNames() throws {
        for type in ModelRegistry.builtIn {
            let e = type.init()
            let copy = e.cloned()
            // (compared as text: NaN parameter values, e.g. missing_values=nan, are not == themselves)
            #expect(copy.parameters.mapValues(\.description) == e.parameters.mapValues(\.description), "\(type.modelName): cloned parameters differ")
            do {
                try e.setParameter("no_such_parameter", .int(1))
                Issue.record("\(type.modelName) accepted an unknown parameter")
            } catch let LearnError.unknownParameter(estimator, name, valid) {
                #expect(estimator == type.modelName && name == "no_such_parameter")
                #expect(Set(valid) == Set(e.parameters.keys), "\(type.modelName): the error lists other names than `parameters`")
            }
            // Every listed parameter accepts its own current value back.
            for (k, v) in e.parameters { #expect(throws: Never.self, "\(type.modelName).\(k)") { try e.setParameter(k, v) } }
        }
    }

    @Test func savedModelsPredictExactlyAsTheOriginal() throws {
        let (train, test) = try LearnFixtures.split(.wine)
        let (rtrain, rtest) = try LearnFixtures.split(.diabetes)
        for name in Self.supervisedNames where name != "pipeline" {
            let e = try make(name)
            let data = try ModelFile.encode(e is any Classifier ? try fitted(e, train) : try fitted(e, rtrain))
            let restored = try ModelFile.decode(data).estimator
            #expect(type(of: restored).modelName == name)
            switch (e, restored) {
            case let (a as any Classifier, b as any Classifier):
                #expect(try a.predict(test.features) == b.predict(test.features), "\(name)")
            case let (a as any Regressor, b as any Regressor):
                #expect(try a.predict(rtest.features) == b.predict(rtest.features), "\(name)")
            default: Issue.record("\(name) changed kind through a model file")
            }
        }
        #expect(throws: LearnError.self) { _ = try ModelFile.decode(Data("{\"format\":\"x\"}".utf8)) }
        #expect(throws: LearnError.self) { _ = try ModelFile.decode(Data([0xff, 0x00, 0x13])) }
    }

    private func fitted(_ e: any Estimator, _ d: Dataset) throws -> any Estimator {
        switch e {
        case let c as any Classifier: try c.fit(d.features, d.labels)
        case let r as any Regressor: try r.fit(d.features, d.target)
        default: break
        }
        return e
    }
}
