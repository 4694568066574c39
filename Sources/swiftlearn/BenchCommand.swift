import ArgumentParser
import Foundation
import SwiftLearn

/// `swiftlearn bench <suite>`: measured throughput, one JSON object per line with `--json`.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Run a benchmark suite (medians of several runs).",
        subcommands: [TensorBench.self, LearnBench.self, NeuralBench.self, GenerativeBench.self, NLPBench.self, RetrievalBench.self, LLMBench.self, RLBench.self]
    )
}

/// Times `body` `runs` times after one warm-up and returns the median in seconds.
func medianSeconds(runs: Int, _ body: () -> Void) -> Double {
    body()
    var times: [Double] = []
    for _ in 0..<runs {
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    times.sort()
    return times.count % 2 == 1 ? times[times.count / 2] : (times[times.count / 2 - 1] + times[times.count / 2]) / 2
}

/// Keeps a value alive so the optimizer cannot drop the work that produced it.
@inline(never) func blackHole<T>(_ x: T) { withExtendedLifetime(x) {} }

struct TensorBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tensor",
        abstract: "GEMM, elementwise, reduction and softmax throughput of the Tensors module."
    )

    @Option(help: "GEMM backend: auto (the faster of BLAS and native, measured), blas or native.") var backend: MatmulBackend = .auto
    @Option(help: "Timed runs per measurement (the median is reported).") var runs = 7
    @Option(help: "Only run benchmarks whose name contains this text.") var filter: String?
    @Option(help: "GEMM sizes (comma separated).") var sizes = "256,512,1024,2048"
    @Flag(help: "One JSON object per line.") var json = false

    func run() throws {
        try checkRange(runs, option: "--runs", 1...maximumRuns)
        let gemmSizes = try sizes.split(separator: ",", omittingEmptySubsequences: false).map { s -> Int in
            guard let n = Int(s.trimmingCharacters(in: .whitespaces)), n > 0, n <= 16384 else {
                throw ValidationError("--sizes takes positive integers up to 16384, got '\(s)'")
            }
            return n
        }
        BLAS.backend = backend
        if !json {
            print("sgemm: \(BLAS.backendName(for: .float32)), dgemm: \(BLAS.backendName(for: .float64))\(BLAS.isAvailable ? " (BLAS: \(BLAS.library) \(BLAS.coreName))" : ""), cpus: \(CPU.count)")
        }
        func report(_ name: String, _ size: Int, _ seconds: Double, gflops: Double? = nil, gbps: Double? = nil) {
            if json {
                var f: [(String, JSONValue)] = [("name", .string(name)), ("size", .int(size)), ("backend", .string(name == "sgemm" ? BLAS.backendName(for: .float32) : name == "dgemm" ? BLAS.backendName(for: .float64) : "native")), ("seconds", .double(seconds))]
                if let gflops { f.append(("gflops", .double(gflops))) }
                if let gbps { f.append(("gbps", .double(gbps))) }
                print(JSONLine(f).text)
            } else {
                let rate = gflops.map { String(format: "%8.1f GFLOP/s", $0) } ?? String(format: "%8.1f GB/s", gbps ?? 0)
                print("\(name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(size).padding(toLength: 10, withPad: " ", startingAt: 0)) \(String(format: "%10.6f s", seconds)) \(rate)")
            }
            fflush(stdout)
        }
        func wanted(_ name: String) -> Bool { filter.map { name.contains($0) } ?? true }

        // Warm-up outside the timings: load the BLAS, run the one-time backend calibration and
        // start the thread pools, so the first measured size reflects steady state.
        for dtype in [DType.float32, .float64] {
            blackHole(Tensor.ones([512, 512], dtype: dtype).matmul(Tensor.ones([512, 512], dtype: dtype)))
        }
        for (name, dtype) in [("sgemm", DType.float32), ("dgemm", .float64)] where wanted(name) {
            for n in gemmSizes {
                let a = Tensor.randn([n, n], dtype: dtype, seed: 1), b = Tensor.randn([n, n], dtype: dtype, seed: 2)
                let r = n >= 2048 ? Swift.max(3, runs / 2) : runs
                let t = medianSeconds(runs: r) { blackHole(a.matmul(b)) }
                report(name, n, t, gflops: 2 * Double(n) * Double(n) * Double(n) / t / 1e9)
            }
        }
        // Elementwise and sum on 10M float32 (inputs made only when one of them is wanted).
        let count = 10_000_000, n = Double(count)
        let elementwise: [(String, Double, (Tensor, Tensor) -> Tensor)] = [
            ("add", 12, { $0 + $1 }), ("mul", 12, { $0 * $1 }), ("exp", 8, { a, _ in a.exp() }), ("sum", 4, { a, _ in a.sum() }),
        ]
        if elementwise.contains(where: { wanted($0.0) }) {
            let x = Tensor.randn([count], seed: 3), y = Tensor.randn([count], seed: 4)
            for (name, bytesPerElement, op) in elementwise where wanted(name) {
                let t = medianSeconds(runs: runs) { blackHole(op(x, y)) }
                report(name, count, t, gbps: bytesPerElement * n / t / 1e9)
            }
        }
        if wanted("softmax") {
            let s = Tensor.randn([4096, 1024], seed: 5)
            let t = medianSeconds(runs: runs) { blackHole(s.softmax(axis: -1)) }
            report("softmax", 4096 * 1024, t, gbps: Double(4096 * 1024 * 8) / t / 1e9)
        }
    }
}

extension MatmulBackend: ExpressibleByArgument {}
