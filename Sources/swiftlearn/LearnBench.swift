import ArgumentParser
import Foundation
import SwiftLearn
import SwiftLearnCore

/// `swiftlearn bench learn --manifest FILE`: times estimators on datasets described by a manifest
/// that `benchmarks/compare_learn.py` writes, so that this program and scikit-learn run the very
/// same jobs on the very same arrays in one run.
///
/// Manifest: `{"data_dir": DIR, "jobs": [{"id", "model", "params": {name: value}, "dataset", "task"}]}`
/// with `DIR/<dataset>_{Xtr,ytr,Xte,yte}.npy`. One JSON line per job: `id`, `fit_seconds`,
/// `predict_seconds` (medians), and the test `metric` (accuracy, R², or adjusted Rand for clustering).
struct LearnBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "learn",
        abstract: "Fit/predict times of Learn estimators on the jobs of a benchmark manifest."
    )

    @Option(help: "Manifest JSON written by benchmarks/compare_learn.py.") var manifest: String
    @Option(help: "Timed runs per job (the median is reported).") var runs = 3
    @Option(help: "Only run jobs whose id contains this text.") var filter: String?
    @Flag(help: "One JSON object per line.") var json = false

    struct Job: Decodable { var id: String; var model: String; var params: [String: ParamJSON]; var dataset: String }
    struct Manifest: Decodable { var data_dir: String; var jobs: [Job] }

    /// A JSON parameter value.
    enum ParamJSON: Decodable {
        case value(ParamValue)
        init(from decoder: Decoder) throws {
            let c = try decoder.singleValueContainer()
            if c.decodeNil() { self = .value(.none) }
            else if let b = try? c.decode(Bool.self) { self = .value(.bool(b)) }
            else if let i = try? c.decode(Int.self) { self = .value(.int(i)) }
            else if let d = try? c.decode(Double.self) { self = .value(.double(d)) }
            else if let s = try? c.decode(String.self) { self = .value(.string(s)) }
            else if let l = try? c.decode([Double].self) { self = .value(.list(l.map { .double($0) })) }
            else { throw DecodingError.dataCorruptedError(in: c, debugDescription: "unsupported parameter value") }
        }
        var param: ParamValue { if case .value(let v) = self { return v }; return .none }
    }

    /// Class labels read from a float array: each must be a whole number that fits an Int (a NaN or
    /// 1e300 label would trap in `Int(_:)`).
    func labels(_ values: [Double], _ dataset: String, _ part: String) throws -> [Int] {
        try values.enumerated().map { i, v in
            guard v.isFinite, v == v.rounded(), abs(v) <= 9.0e15 else {
                throw ValidationError("\(dataset)_\(part).npy: label \(i) is \(v), not a whole number")
            }
            return Int(v)
        }
    }

    func run() throws {
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        _ = BLAS.backendName(for: .float64)   // one-time GEMM calibration, outside the timings
        let m: Manifest
        do { m = try JSONDecoder().decode(Manifest.self, from: Data(contentsOf: URL(fileURLWithPath: manifest))) } catch let e as DecodingError {
            throw ValidationError("manifest \(manifest) is not a benchmark manifest (\(DecodingErrorText.describe(e)))")
        } catch {
            throw ValidationError("cannot read manifest \(manifest) (\(readableReason(error)))")
        }
        var cache: [String: (Matrix, [Double], Matrix, [Double])] = [:]
        func data(_ name: String) throws -> (Matrix, [Double], Matrix, [Double]) {
            if let d = cache[name] { return d }
            func load(_ part: String) throws -> Tensor { try Tensor.load(npy: URL(fileURLWithPath: "\(m.data_dir)/\(name)_\(part).npy")) }
            let d = (Matrix(try load("Xtr")), try load("ytr").toArray(as: Double.self), Matrix(try load("Xte")), try load("yte").toArray(as: Double.self))
            cache[name] = d
            return d
        }
        for job in m.jobs where filter.map({ job.id.contains($0) }) ?? true {
            let (xtr, ytr, xte, yte) = try data(job.dataset)
            let prototype = try ModelRegistry.make(job.model)
            for (k, v) in job.params { try prototype.setParameter(k, v.param) }
            var fitTimes: [Double] = [], predictTimes: [Double] = []
            var metric = Double.nan
            for _ in 0..<runs {
                let e = prototype.cloned()
                switch e {
                case let clf as any Classifier:
                    let ytrInt = try labels(ytr, job.dataset, "ytr"), yteInt = try labels(yte, job.dataset, "yte")
                    fitTimes.append(try timed { try clf.fit(xtr, ytrInt) }.1)
                    let (p, t) = try timed { try clf.predict(xte) }
                    predictTimes.append(t)
                    metric = try Metrics.accuracy(yteInt, p)
                case let reg as any Regressor:
                    fitTimes.append(try timed { try reg.fit(xtr, ytr) }.1)
                    let (p, t) = try timed { try reg.predict(xte) }
                    predictTimes.append(t)
                    metric = try Metrics.r2Score(yte, p)
                case let cl as any Clusterer:
                    fitTimes.append(try timed { try cl.fit(xtr) }.1)
                    metric = try ClusterMetrics.adjustedRandIndex(try labels(ytr, job.dataset, "ytr"), cl.labels)
                    if let pc = cl as? any PredictingClusterer {
                        predictTimes.append(try timed { blackHole(try pc.predict(xte)) }.1)
                    }
                case let tr as any Transformer:
                    fitTimes.append(try timed { try tr.fit(xtr, target: nil) }.1)
                    if let t = try? timed({ try tr.transform(xte) }) { predictTimes.append(t.1) }
                default:
                    throw ValidationError("\(job.model) cannot be benchmarked")
                }
            }
            let fields: [(String, JSONValue)] = [("id", .string(job.id)), ("model", .string(job.model)), ("dataset", .string(job.dataset)),
                                                 ("fit_seconds", .double(median(fitTimes))),
                                                 ("predict_seconds", .double(predictTimes.isEmpty ? .nan : median(predictTimes))),
                                                 ("metric", .double(metric))]
            if json { print(JSONLine(fields).text) } else { print(fields.map { "\($0.0)=\($0.1)" }.joined(separator: " ")) }
            fflush(stdout)
        }
    }
}

/// The median of a non-empty list.
func median(_ values: [Double]) -> Double {
    let s = values.sorted()
    return s.count % 2 == 1 ? s[s.count / 2] : (s[s.count / 2 - 1] + s[s.count / 2]) / 2
}
