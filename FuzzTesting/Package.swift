// swift-tools-version:6.0
// libFuzzer targets for every loader of outside data. A separate package so that the main
// package's `swift build` / `swift test` never see the fuzzer flags. Build and run with
// `scripts/fuzz.sh TARGET SECONDS` (see README.md here).
import PackageDescription

// A path dependency's identity is its directory's name, which differs between checkouts
// (`swiftlearn`, `wt-fuzz`, …), so spell it as the manifest sees it.
let parent = Context.packageDirectory.split(separator: "/").dropLast().last.map(String.init)?.lowercased() ?? "swiftlearn"

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: products.map { .product(name: $0, package: parent) },
        path: "Sources/\(name)",
        swiftSettings: [.swiftLanguageMode(.v5), .unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "SwiftLearnFuzzTesting",
    platforms: [.macOS(.v13)],
    dependencies: [.package(path: "..")],
    targets: [
        fuzzTarget("FuzzCSV", ["Datasets"]),
        fuzzTarget("FuzzNPY", ["Tensors"]),
        fuzzTarget("FuzzNPZ", ["Tensors"]),
        fuzzTarget("FuzzSafetensors", ["Tensors"]),
        fuzzTarget("FuzzTokenizerJSON", ["NLP"]),
        fuzzTarget("FuzzModelFile", ["Learn"]),
        fuzzTarget("FuzzIndexFile", ["Retrieval"]),
        fuzzTarget("FuzzProgressImport", ["Roadmap"]),
    ]
)
