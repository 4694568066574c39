import Foundation
import Testing
import Learn
import Datasets

/// Bad inputs, hyper-parameter checks, parameters, cloning and model files for the linear family.
@Suite struct LinearModelsAPITests {
    static let allTypes: [any Estimator.Type] = [
        LinearRegression.self, GradientDescentRegression.self, Ridge.self, RidgeCV.self, Lasso.self, ElasticNet.self,
        LogisticRegression.self, SGDClassifier.self, SGDRegressor.self, LinearDiscriminantAnalysis.self,
        GaussianNB.self, MultinomialNB.self, BernoulliNB.self]

    static func regressors() -> [any Regressor] {
        [LinearRegression(), GradientDescentRegression(), Ridge(), RidgeCV(), Lasso(), ElasticNet(), SGDRegressor(randomState: 0)]
    }
    static func classifiers() -> [any Classifier] {
        [LogisticRegression(), SGDClassifier(randomState: 0), LinearDiscriminantAnalysis(), GaussianNB(), MultinomialNB(), BernoulliNB()]
    }

    @Test func badDataThrows() throws {
        let x = Matrix([[0, 1], [1, 0], [2, 2], [3, 1]])
        let nan = Matrix([[0, .nan], [1, 0], [2, 2], [3, 1]])
        for m in Self.regressors() {
            #expect(throws: LearnError.self) { try m.predict(x) }                       // not fitted
            #expect(throws: LearnError.self) { try m.fit(nan, [1, 2, 3, 4]) }
            #expect(throws: LearnError.self) { try m.fit(x, [1, 2, 3]) }
            #expect(throws: LearnError.self) { try m.fit(Matrix(rows: 0, columns: 2), []) }
            #expect(throws: LearnError.self) { try m.fit(x, [1, .infinity, 3, 4]) }
            try m.fit(x, [1, 2, 3, 4])
            #expect(throws: LearnError.self) { try m.predict(Matrix([[1, 2, 3]])) }    // wrong feature count
            #expect(throws: LearnError.self) { try m.predict(Matrix([[1, .nan]])) }
        }
        for m in Self.classifiers() {
            #expect(throws: LearnError.self) { try m.predict(x) }
            #expect(throws: LearnError.self) { try m.fit(nan, [0, 1, 0, 1]) }
            #expect(throws: LearnError.self) { try m.fit(x, [0, 1, 0]) }
            if !(m is any NaiveBayesClassifier) {
                #expect(throws: LearnError.self) { try m.fit(x, [1, 1, 1, 1]) }         // one class
            }
            try m.fit(x, [0, 1, 0, 1])
            #expect(throws: LearnError.self) { try m.predict(Matrix([[1, 2, 3]])) }
        }
        #expect(throws: LearnError.self) { try MultinomialNB().fit(Matrix([[-1, 0], [1, 1]]), [0, 1]) }
        #expect(throws: LearnError.self) { try LinearRegression().fit(x, [1, 2, 3, 4], sampleWeight: [1, -1, 1, 1]) }
        #expect(throws: LearnError.self) { try LinearDiscriminantAnalysis().fit(x, target: nil) }
        let lsqr = LinearDiscriminantAnalysis(solver: "lsqr")
        try lsqr.fit(x, [0, 1, 0, 1])
        #expect(throws: LearnError.self) { try lsqr.transform(x) }
    }

    @Test func hyperParameterErrors() throws {
        let x = Matrix([[0, 1], [1, 0], [2, 2], [3, 1]]), y = [0.0, 1, 2, 3], c = [0, 1, 0, 1]
        #expect(throws: LearnError.self) { try Ridge(alpha: -1).fit(x, y) }
        #expect(throws: LearnError.self) { try RidgeCV(alphas: [0, 1]).fit(x, y) }
        #expect(throws: LearnError.self) { try Lasso(alpha: -1).fit(x, y) }
        #expect(throws: LearnError.self) { try ElasticNet(l1Ratio: 2).fit(x, y) }
        #expect(throws: LearnError.self) { try Lasso(maxIter: 0).fit(x, y) }
        #expect(throws: LearnError.self) { try GradientDescentRegression(learningRate: 0).fit(x, y) }
        #expect(throws: LearnError.self) { try LogisticRegression(C: 0).fit(x, c) }
        #expect(throws: LearnError.self) { try LogisticRegression(l1Ratio: 1).fit(x, c) }          // L1 needs saga
        #expect(throws: LearnError.self) { try LogisticRegression(penalty: "l1", solver: "lbfgs").fit(x, c) }
        #expect(throws: LearnError.self) { try LogisticRegression(solver: "magic").fit(x, c) }
        #expect(throws: LearnError.self) { try SGDClassifier(alpha: -1).fit(x, c) }
        #expect(throws: LearnError.self) { try SGDClassifier(loss: "squared_error").fit(x, c) }
        #expect(throws: LearnError.self) { try SGDRegressor(loss: "hinge").fit(x, y) }
        #expect(throws: LearnError.self) { try LinearDiscriminantAnalysis(shrinkage: .auto).fit(x, c) }   // not with svd
        #expect(throws: LearnError.self) { try LinearDiscriminantAnalysis(nComponents: 5).fit(x, c) }
        #expect(throws: LearnError.self) { try GaussianNB(priors: [0.5, 0.6]).fit(x, c) }
        #expect(throws: LearnError.self) { try MultinomialNB(alpha: -1).fit(x, c) }
        for t in Self.allTypes {
            let m = t.init()
            #expect(throws: LearnError.self) { try m.setParameter("no_such_parameter", .int(1)) }
        }
        #expect(throws: LearnError.self) { try LogisticRegression().setParameter("solver", "magic") }
        #expect(throws: LearnError.self) { try Lasso().setParameter("l1_ratio", 0.5) }
        #expect(throws: LearnError.self) { try Ridge().setParameter("alpha", "big") }
    }

    @Test func parametersAndCloning() throws {
        for t in Self.allTypes {
            let m = t.init()
            let copy = m.cloned()
            #expect(copy.parameters == m.parameters, "\(t.modelName)")
        }
        let lr = LogisticRegression()
        try lr.setParameters(["C": 0.5, "solver": "newton-cholesky", "class_weight": "balanced", "max_iter": 50])
        #expect(lr.C == 0.5 && lr.solver == "newton-cholesky" && lr.classWeight == .balanced && lr.maxIter == 50)
        #expect(lr.cloned().parameters == lr.parameters)
        let lda = LinearDiscriminantAnalysis()
        try lda.setParameters(["solver": "eigen", "shrinkage": 0.3])
        #expect(lda.shrinkage == .fixed(0.3))
        try lda.setParameter("shrinkage", "auto")
        #expect(lda.cloned().shrinkage == .auto)
        let sgd = SGDClassifier()
        try sgd.setParameters(["loss": "log_loss", "average": true, "tol": .none])
        #expect(sgd.settings.loss == "log_loss" && sgd.settings.average == 1 && sgd.settings.tol == nil)
        #expect(sgd.cloned().parameters == sgd.parameters)
        let rcv = RidgeCV()
        try rcv.setParameter("alphas", .list([1, 2.5]))
        #expect(rcv.alphas == [1, 2.5])
        #expect(Lasso().parameters["l1_ratio"] == nil && ElasticNet().parameters["l1_ratio"] == .double(0.5))
    }

    @Test func modelFileRoundTrip() throws {
        ModelRegistry.register(Self.allTypes)
        let (s) = try LearnFixtures.split(.wine)
        let (r) = try LearnFixtures.split(.diabetes)
        for m in Self.classifiers() {
            try m.fit(s.train.features, s.train.labels)
            let back = try ModelFile.decode(try ModelFile.encode(m)).estimator as! any Classifier
            #expect(type(of: back) == type(of: m))
            #expect(try back.predict(s.test.features) == m.predict(s.test.features), "\(type(of: m).modelName)")
        }
        for m in Self.regressors() {
            try m.fit(r.train.features, r.train.target)
            let back = try ModelFile.decode(try ModelFile.encode(m)).estimator as! any Regressor
            #expect(type(of: back) == type(of: m))
            #expect(try back.predict(r.test.features) == m.predict(r.test.features), "\(type(of: m).modelName)")
        }
    }

    @Test func featureImportancesAndShapes() throws {
        let (s) = try LearnFixtures.split(.iris)
        let lr = LogisticRegression(maxIter: 1000)
        try lr.fit(s.train.features, s.train.labels)
        #expect(lr.coef.rows == 3 && lr.coef.columns == 4 && lr.intercept.count == 3)
        #expect(lr.featureImportances.count == 4 && lr.featureImportances.allSatisfy { $0 > 0 })
        let d = try lr.decisionFunction(s.test.features)
        #expect(d.columns == 3)
        let lp = try lr.predictLogProbabilities(s.test.features), p = try lr.predictProbabilities(s.test.features)
        #expect(linRel(lp.values.map { Foundation.exp($0) }, p.values) < 1e-12)
        // Binary: one row of coefficients, one decision column.
        let binary = s.train.labels.map { $0 == 2 ? 1 : 0 }
        try lr.fit(s.train.features, binary)
        #expect(lr.coef.rows == 1)
        #expect(try lr.decisionFunction(s.test.features).columns == 1)
        let lda = LinearDiscriminantAnalysis(nComponents: 1)
        try lda.fit(s.train.features, s.train.labels)
        #expect(try lda.transform(s.test.features).columns == 1)
        #expect(try lda.fitTransform(s.train.features, target: .classes(s.train.labels)).columns == 1)
        let fi: [any FeatureImportanceProviding] = [LinearRegression(), Ridge(), Lasso(), lda]
        #expect(fi.allSatisfy { $0.featureImportances.count == 4 || $0.featureImportances.isEmpty })
    }
}
