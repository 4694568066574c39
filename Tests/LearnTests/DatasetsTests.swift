import Foundation
import Testing
import Learn
import Datasets
import TestSupport

@Suite struct DatasetsTests {
    @Test func bundledShapesAndNames() throws {
        let expected: [BundledDataset: (Int, Int)] = [.iris: (150, 4), .wine: (178, 13), .breastCancer: (569, 30),
                                                      .digits: (1797, 64), .diabetes: (442, 10), .penguins: (344, 10), .diamonds: (53940, 26)]
        for (set, shape) in expected {
            let d = try Datasets.load(set)
            #expect(d.features.rows == shape.0 && d.features.columns == shape.1, "\(set): \(d.features.shape)")
            #expect(d.featureNames.count == shape.1)
            #expect(d.task == set.task)
        }
        let iris = try Datasets.load(.iris)
        #expect(iris.classNames == ["setosa", "versicolor", "virginica"])
        #expect(iris.featureNames.first == "sepal length (cm)")
        #expect(Set(iris.labels) == [0, 1, 2])
        let penguins = try Datasets.load(.penguins)
        #expect(penguins.classNames == ["Adelie", "Chinstrap", "Gentoo"])
        #expect(penguins.featureNames.contains("island=Biscoe"))
        #expect(penguins.features.values.contains { $0.isNaN })   // missing measurements kept as NaN
        let table = try Datasets.table(.penguins)
        #expect(try table.column("sex").missingCount == 11)
    }

    /// The bundled classic sets equal scikit-learn's loaders (load_iris, load_wine,
    /// load_breast_cancer, load_digits, load_diabetes): names, shapes and, per column, the sum and
    /// the row-weighted sum Σᵢ (i+1)·xᵢⱼ of scikit-learn's arrays
    /// (scripts/fixtures/make_learn_dataset_fixtures.py, which also checks the CSVs value for value).
    @Test(arguments: [BundledDataset.iris, .wine, .breastCancer, .digits, .diabetes])
    func bundledEqualsScikitLearnLoaders(set: BundledDataset) throws {
        let fx = (try LearnFixtures.json("datasets_sklearn") as! [String: Any])[set.rawValue] as! [String: Any]
        let d = try Datasets.load(set)
        #expect(d.features.rows == (fx["rows"] as! NSNumber).intValue && d.features.columns == (fx["columns"] as! NSNumber).intValue)
        #expect(d.featureNames == fx["feature_names"] as! [String])
        if let names = fx["class_names"] as? [String] { #expect(d.classNames == names) }
        let targets = d.task == .regression ? d.target : d.labels.map(Double.init)
        var worst = 0.0
        for (column, ref) in [(Matrix(targets.map { [$0] }), fx["target"]), (d.features, fx["features"])] {
            let ref = ref as! [String: Any]
            let sums = LearnFixtures.doubles(ref["sum"]!), weighted = LearnFixtures.doubles(ref["weighted"]!)
            #expect(sums.count == column.columns && weighted.count == column.columns)
            for j in 0..<min(column.columns, sums.count, weighted.count) {
                var sum = 0.0, wsum = 0.0, scale = 0.0
                for i in 0..<column.rows { let v = column[i, j]; sum += v; wsum += Double(i + 1) * v; scale += Double(i + 1) * abs(v) }
                // Summation order differs from NumPy's pairwise sum: compare relative to Σ (i+1)|x|.
                let err = errorValue(max(abs(sum - sums[j]), abs(wsum - weighted[j])) / max(scale, 1e-300))
                worst = max(worst, err)
                #expect(err <= 1e-13, "\(set) column \(j): \(err)")
            }
        }
        print("datasets-fixture \(set.rawValue): worst checksum error \(worst)")
    }

    @Test func csvQuotingAndMissing() throws {
        let text = "a,b,c\r\n1,\"x, \"\"y\"\"\",NA\n2,\"multi\nline\",3.5\n"
        let t = try CSVTable.parse(text)
        #expect(t.header == ["a", "b", "c"])
        #expect(t.columns[0] == .numeric([1, 2]))
        #expect(t.columns[1] == .categorical(["x, \"y\"", "multi\nline"]))
        guard case .numeric(let c) = t.columns[2] else { Issue.record("c should be numeric"); return }
        #expect(c[0].isNaN && c[1] == 3.5)
        // Round trip through csvText.
        #expect(try CSVTable.parse(t.csvText()).columns[1] == t.columns[1])
    }

    @Test func csvErrorsNameLineAndColumn() {
        #expect(throws: CSVError.malformed(line: 3, column: 3, reason: "expected 2 fields, found 3")) {
            try CSVTable.parse("a,b\n1,2\n3,4,5\n")
        }
        #expect(throws: CSVError.malformed(line: 2, column: 2, reason: "a quoted field is never closed")) {
            try CSVTable.parse("a,b\n1,\"open\n")
        }
        #expect(throws: CSVError.malformed(line: 2, column: 1, reason: "a quote inside an unquoted field")) {
            try CSVTable.parse("a,b\nx\"y,2\n")
        }
        #expect(throws: CSVError.duplicateColumn("a")) { try CSVTable.parse("a,a\n1,2\n") }
        #expect(throws: CSVError.empty("text")) { try CSVTable.parse("") }
        #expect(throws: CSVError.self) { try CSVTable.read(path: "/nonexistent/file.csv") }
    }

    /// A number too large for a Double is the IEEE value it denotes (as in NumPy and pandas), not
    /// a reason to turn the whole column into categories; a model then refuses it, naming the
    /// file, the line and the column — lines of the file, also after the rows were shuffled.
    @Test func overflowingNumbersAreInfiniteAndRefusedWithTheirLine() throws {
        let t = try CSVTable.parse("x,y,label\n1,2,0\n1e400,3,1\n-1e400,4,0\n1e-400,5,1\n")
        #expect(t.columns[0].isNumeric)
        guard case .numeric(let x) = t.columns[0] else { Issue.record("x should be numeric"); return }
        #expect(x[1] == .infinity && x[2] == -.infinity && x[3] == 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("csv-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("data.csv")
        try "x,y,label\n1,2,0\n2,3,1\n1e400,3,1\n4,5,0\n".write(to: file, atomically: true, encoding: .utf8)
        let table = try CSVTable.read(path: file.path)
        do {
            _ = try TabularPreparation(fitting: table, target: "label")
            Issue.record("an infinite feature was accepted")
        } catch let e as LearnError {
            #expect("\(e)".contains("\(file.path) line 4, column 'x'"), "\(e)")
        }
        // Shuffled rows keep their file lines.
        let shuffled = table.rows([2, 0, 3, 1])
        #expect(shuffled.lines == [4, 2, 5, 3])
        #expect(shuffled.location(ofRow: 0) == "\(file.path) line 4")
        // A regression target of 1e400 is refused the same way.
        let prep = try TabularPreparation(fitting: try table.dropping(["x"]), target: "y", task: .regression)
        let badTarget = try CSVTable.parse("y,label\n1,0\n1e400,1\n")
        #expect(throws: LearnError.self) { try prep.values(badTarget) }
        // Malformed rows name the file when read from one.
        let broken = dir.appendingPathComponent("broken.csv")
        try "a,b\n1,2\n3\n".write(to: broken, atomically: true, encoding: .utf8)
        #expect(throws: CSVError.inFile(path: broken.path, error: .malformed(line: 3, column: 2, reason: "expected 2 fields, found 1"))) {
            try CSVTable.read(path: broken.path)
        }
    }

    @Test func encoderUsesFittedCategories() throws {
        let train = try CSVTable.parse("color,size\nred,1\nblue,2\n")
        let enc = try TableEncoder(fitting: train)
        #expect(enc.outputNames == ["color=blue", "color=red", "size"])
        let test = try CSVTable.parse("size,color\n3,green\n4,red\n")
        let x = try enc.transform(test)
        #expect(x == Matrix([[0, 0, 3], [0, 1, 4]]))
    }

    @Test func committedSplitsAreStratified() throws {
        let (train, test) = try LearnFixtures.split(.iris)
        #expect(train.count == 112 && test.count == 38)
        for c in 0..<3 { #expect(test.labels.filter { $0 == c }.count >= 12) }
    }
}

@Suite struct TabularPreparationTests {
    @Test func fillsMissingWithTrainingMeansAndMapsClasses() throws {
        let train = try CSVTable.parse("x,color,label\n1,red,yes\nNA,blue,no\n3,,yes\n")
        let prep = try TabularPreparation(fitting: train, target: "label")
        #expect(prep.task == .classification)
        #expect(prep.classNames == ["no", "yes"])
        #expect(prep.fillValues == [2, 1.0 / 3, 1.0 / 3])   // x mean; one-hot column means
        let x = try prep.features(train)
        #expect(x.row(1) == [2, 1, 0])          // x filled with the mean of 1 and 3
        #expect(try prep.labels(train) == [1, 0, 1])
        let test = try CSVTable.parse("x,color,label\n5,green,maybe\n")
        #expect(try prep.features(test).row(0) == [5, 0, 0])
        #expect(throws: LearnError.self) { try prep.labels(test) }   // unseen class names the row
        let keepNaN = try TabularPreparation(fitting: train, target: "label", fillMissing: false)
        #expect(try keepNaN.features(train)[1, 0].isNaN)
    }

    @Test func regressionTargetMustBeNumeric() throws {
        let t = try CSVTable.parse("a,b\n1,x\n2,y\n")
        #expect(throws: LearnError.self) { _ = try Datasets.dataset(from: t, target: "b", task: .regression) }
        #expect(throws: CSVError.unknownColumn(name: "c", available: ["a", "b"])) { _ = try Datasets.dataset(from: t, target: "c") }
    }
}
