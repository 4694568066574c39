// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "SwiftLearn",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "SwiftLearn", targets: ["SwiftLearn"]),
        .library(name: "Tensors", targets: ["Tensors"]),
        .library(name: "Learn", targets: ["Learn"]),
        .library(name: "Datasets", targets: ["Datasets"]),
        .executable(name: "swiftlearn", targets: ["swiftlearn"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
    ],
    targets: [
        // C kernels: CPU feature detection, native GEMM, vectorized math, run-time BLAS/LAPACK loader.
        .target(
            name: "CSwiftLearnKernels",
            linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux])), .linkedLibrary("pthread", .when(platforms: [.linux]))]
        ),
        .target(
            name: "Tensors",
            dependencies: [
                "CSwiftLearnKernels",
                .product(name: "RealModule", package: "swift-numerics"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Classical machine learning (scikit-learn's part of the roadmap).
        .target(
            name: "Learn",
            dependencies: ["Tensors"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        // Bundled real datasets and the CSV reader.
        .target(
            name: "Datasets",
            dependencies: ["Learn"],
            resources: [.copy("Data")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .target(
            name: "SwiftLearn",
            dependencies: ["Tensors", "Learn", "Datasets"],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .executableTarget(
            name: "swiftlearn",
            dependencies: [
                "SwiftLearn",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "TensorsTests",
            dependencies: ["Tensors"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
        .testTarget(
            name: "LearnTests",
            dependencies: ["Learn", "Datasets"],
            resources: [.copy("Fixtures")],
            swiftSettings: [.swiftLanguageMode(.v5)]
        ),
    ]
)
