// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SwiftLearn",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SwiftLearn", targets: ["SwiftLearn"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Learn", targets: ["Learn"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .library(name: "Neural", targets: ["Neural"]),
        .library(name: "NLP", targets: ["NLP"]),
        .library(name: "Retrieval", targets: ["Retrieval"]),
        .library(name: "Plot", targets: ["Plot"]),
        .library(name: "LLM", targets: ["LLM"]),
        .library(name: "Roadmap", targets: ["Roadmap"]),
        .library(name: "Serve", targets: ["Serve"]),
        .library(name: "APIClient", targets: ["APIClient"]),
        .library(name: "RAG", targets: ["RAG"]),
        .library(name: "Agents", targets: ["Agents"]),
        .library(name: "RL", targets: ["RL"]),
        .library(name: "Ops", targets: ["Ops"]),
        .library(name: "Generative", targets: ["Generative"]),
        .library(name: "LMTraining", targets: ["LMTraining"]),
        .executable(name: "swiftlearn", targets: ["swiftlearn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // Shared internals of every module (`package` access): checks, readable file errors.
        .target(
            name: "SwiftLearnCore",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // C kernels: CPU feature detection, native GEMM, vectorized math, run-time BLAS/LAPACK loader.
        .target(
            name: "CSwiftLearnKernels",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux])), .linkedLibrary("pthread", .when(platforms: [.linux]))]
        ),
        .target(
            name: "Tensors",
            dependencies: [
                "CSwiftLearnKernels", "SwiftLearnCore",
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Classical machine learning (scikit-learn's part of the roadmap).
        .target(
            name: "Learn",
            dependencies: ["Tensors", "SwiftLearnCore"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Bundled real datasets and the CSV reader.
        .target(
            name: "Datasets",
            dependencies: ["Learn", "SwiftLearnCore"],
            resources: [.copy("Data")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Deep learning (PyTorch's part of the roadmap): modules, layers, losses, optimizers, data loading.
        .target(
            name: "Neural",
            dependencies: ["Tensors", "Datasets", "SwiftLearnCore"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Text processing: normalization, tokenizers (word, BPE, WordPiece), stemming, vectorizers.
        .target(
            name: "NLP",
            dependencies: ["Tensors", "CSwiftLearnKernels", "SwiftLearnCore"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Search: BM25, vector indexes (flat, HNSW, IVF, PQ), hybrid search, chunking, SQLite collections.
        .target(
            name: "Retrieval",
            dependencies: ["Tensors", "NLP", "SwiftLearnCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Pretrained language models on the CPU: GGUF files, their tokenizers, Llama-family inference.
        .target(
            name: "LLM",
            dependencies: ["Tensors", "NLP", "SwiftLearnCore"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // SVG charts and HTML report pages (no dependencies).
        .target(
            name: "Plot",
            dependencies: ["SwiftLearnCore"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // The roadmap as a program: curriculum catalog, progress store, demos, checkpoints, report.
        .target(
            name: "Roadmap",
            dependencies: ["Tensors", "Learn", "Datasets", "Neural", "NLP", "Retrieval", "LLM", "Plot", "Serve", "RAG", "Agents", "RL", "Ops", "Generative", "LMTraining", "SwiftLearnCore",
                           .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Serving: an OpenAI/Anthropic-compatible LLM server, embeddings and saved-model predictions
        // over HTTP (Hummingbird 2), with a bounded queue, metrics and graceful shutdown.
        .target(
            name: "Serve",
            dependencies: ["LLM", "Learn", "Datasets", "SwiftLearnCore",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdCore", package: "hummingbird"),
                           .product(name: "HTTPTypes", package: "swift-http-types"),
                           .product(name: "Logging", package: "swift-log"),
                           .product(name: "NIOCore", package: "swift-nio"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Client for OpenAI- and Anthropic-compatible servers: chat, streaming, embeddings, models,
        // retries with back-off, a client-side rate limiter and cost accounting (Foundation only).
        .target(
            name: "APIClient",
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Retrieval-augmented generation: loaders (text, Markdown, HTML, CSV, JSON, PDF), chunking,
        // incremental indexing, query expansion, re-ranking, answers with citations, evaluation.
        .target(
            name: "RAG",
            dependencies: ["Retrieval", "LLM", "APIClient", "Datasets", "Plot", "SwiftLearnCore"],
            resources: [.copy("Corpus")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Agents: chat models with tool calling, tools from Codable types, ReAct and other loops,
        // memory, LangGraph-style graph workflows with SQLite checkpoints and interrupts, MCP.
        .target(
            name: "Agents",
            dependencies: ["LLM", "APIClient", "RAG", "Retrieval", "Learn", "Datasets", "Serve", "SwiftLearnCore",
                           .product(name: "GRDB", package: "GRDB.swift"), .product(name: "Yams", package: "Yams")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Reinforcement learning: Gymnasium-identical environments (NumPy's PCG64 stream included),
        // wrappers, vector environments, and the tabular, bandit and deep algorithms.
        .target(
            name: "RL",
            dependencies: ["Neural", "Tensors"],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // MLOps: an MLflow-compatible tracking server and model registry (SQLite + artifact files).
        .target(
            name: "Ops",
            dependencies: ["Serve", "APIClient", "Learn", "Datasets", "Plot", "SwiftLearnCore", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        // Generative and self-supervised models: VAEs, GANs, sample grids, and their recipes.
        .target(
            name: "Generative",
            dependencies: ["Neural", "Tensors", "Datasets", "Learn", "SwiftLearnCore"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Training and adapting transformers: GPT from scratch, its checkpoints and exports (GGUF, GPT-2 safetensors).
        .target(
            name: "LMTraining",
            dependencies: ["Neural", "Tensors", "Datasets", "LLM", "NLP", "SwiftLearnCore"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "SwiftLearn",
            dependencies: ["Tensors", "Learn", "Datasets", "Neural", "NLP", "Retrieval", "Plot", "Roadmap", "LLM", "Serve", "RAG", "Agents", "RL", "Ops", "Generative", "LMTraining"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "swiftlearn",
            dependencies: [
                "SwiftLearn", "SwiftLearnCore", "Serve", "APIClient", "Agents", "RL", "Ops",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Shared by the test targets: NaN-aware error measures.
        .target(
            name: "TestSupport",
            path: "Tests/TestSupport",
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "TensorsTests",
            dependencies: ["Tensors", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "LearnTests",
            dependencies: ["Learn", "Datasets", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "NeuralTests",
            dependencies: ["Neural", "Datasets", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "NLPTests",
            dependencies: ["NLP", "Datasets", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "RetrievalTests",
            dependencies: ["Retrieval", "NLP", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "AgentsTests",
            dependencies: ["Agents", "APIClient", "Datasets", "Learn", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "OpsTests",
            dependencies: ["Ops", "Serve", "Datasets", "Plot", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v6)]
        ),
        .testTarget(
            name: "GenerativeTests",
            dependencies: ["Generative", "Neural", "Tensors", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "LMTrainingTests",
            dependencies: ["LMTraining", "LLM", "Neural", "Tensors", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "RLTests",
            dependencies: ["RL", "Tensors", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "RAGTests",
            dependencies: ["RAG", "Retrieval", "LLM", "TestSupport"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "LLMTests",
            dependencies: ["LLM", "NLP", "Tensors", "TestSupport"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "ServeTests",
            dependencies: ["Serve", "LLM", "Learn", "Datasets", "TestSupport"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "APIClientTests",
            dependencies: ["APIClient", "Serve", "LLM"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "PlotTests",
            dependencies: ["Plot"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "RoadmapTests",
            dependencies: ["Roadmap", "SwiftLearn", "TestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
