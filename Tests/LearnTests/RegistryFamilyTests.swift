import Testing
import Learn

/// The classifier/regressor twin the CLI switches to when a model's kind does not fit the target.
@Suite struct RegistryFamilyTests {
    @Test func twinsAreRegisteredEstimatorsOfTheWantedKind() {
        #expect(ModelRegistry.familyTwin(of: "random-forest", regressor: true) == "random-forest-regressor")
        #expect(ModelRegistry.familyTwin(of: "random-forest-regressor", regressor: false) == "random-forest")
        #expect(ModelRegistry.familyTwin(of: "svc", regressor: true) == "svr")
        #expect(ModelRegistry.familyTwin(of: "svr", regressor: false) == "svc")
        #expect(ModelRegistry.familyTwin(of: "sgd-classifier", regressor: true) == "sgd-regressor")
        #expect(ModelRegistry.familyTwin(of: "sgd-regressor", regressor: false) == "sgd-classifier")
        #expect(ModelRegistry.familyTwin(of: "knn", regressor: true) == "knn-regressor")
        // No twin: logistic regression has no registered regressor, linear regression no classifier.
        #expect(ModelRegistry.familyTwin(of: "logistic-regression", regressor: true) == nil)
        #expect(ModelRegistry.familyTwin(of: "linear-regression", regressor: false) == nil)
        #expect(ModelRegistry.familyTwin(of: "no-such-model", regressor: true) == nil)
    }
}
