// swift-tools-version:5.4
// libFuzzer targets for every loader of outside data. A separate package so that the main
// package's `swift build` / `swift test` never see the fuzzer flags. Build and run with
// `scripts/fuzz.sh TARGET SECONDS` (see README.md here).
//
// Tools version 5.4 on purpose: from 5.5 on, SwiftPM links every executable target with
// `--defsym main=<Target>_main`, but a libFuzzer target has no main of its own (it is built with
// -parse-as-library and libFuzzer supplies main), so the link fails with an undefined symbol.
import PackageDescription

func fuzzTarget(_ name: String, _ products: [String]) -> Target {
    .executableTarget(
        name: name,
        dependencies: products.map { .product(name: $0, package: "SwiftLearn") },
        path: "Sources/\(name)",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    )
}

let package = Package(
    name: "SwiftLearnFuzzTesting",
    platforms: [.macOS("13.0")],
    dependencies: [.package(name: "SwiftLearn", path: "..")],
    targets: [
        fuzzTarget("FuzzCSV", ["Datasets"]),
        fuzzTarget("FuzzNPY", ["Tensors"]),
        fuzzTarget("FuzzNPZ", ["Tensors"]),
        fuzzTarget("FuzzSafetensors", ["Tensors"]),
        fuzzTarget("FuzzTokenizerJSON", ["NLP"]),
        fuzzTarget("FuzzModelFile", ["Learn"]),
        fuzzTarget("FuzzIndexFile", ["Retrieval"]),
        fuzzTarget("FuzzProgressImport", ["Roadmap"]),
        fuzzTarget("FuzzGGUF", ["LLM"]),
        fuzzTarget("FuzzChatTemplate", ["LLM"]),
        fuzzTarget("FuzzBertEncoder", ["LLM", "NLP", "Tensors"]),
        fuzzTarget("FuzzGrammar", ["LLM"]),
        fuzzTarget("FuzzRAGLoaders", ["RAG", "Retrieval"]),
        fuzzTarget("FuzzAgentFiles", ["Agents", "APIClient"]),
        fuzzTarget("FuzzMCP", ["Agents", "APIClient"]),
        fuzzTarget("FuzzRLFiles", ["RL"]),
        fuzzTarget("FuzzTracking", ["Ops", "Serve", "Datasets"]),
        fuzzTarget("FuzzGenerativeFile", ["Generative", "Tensors"]),
        fuzzTarget("FuzzLMTraining", ["LMTraining", "LLM", "Neural", "Tensors", "Datasets"]),
        fuzzTarget("FuzzNLPText", ["NLP"]),
    ]
)
