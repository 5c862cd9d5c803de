// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [.enableUpcomingFeature("ExistentialAny")]
let fast: [SwiftSetting] = strict + [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]

let package = Package(
    name: "Sotto",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "sotto", targets: ["sotto"]),
        .library(name: "SottoDecoding", targets: ["SottoDecoding"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS"),
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // SIMD kernels in C: per-function target attributes let one binary pick AVX2/AVX-512 paths at
        // run time, which Swift cannot express.
        .target(name: "CSottoKernels", cSettings: [.unsafeFlags(["-O3", "-fno-math-errno"])]),
        .target(name: "SottoTensor", dependencies: ["COpenBLAS", "CSottoKernels"], swiftSettings: fast),
        .target(name: "SottoAudio", swiftSettings: fast),
        .target(name: "SottoText", swiftSettings: strict),
        .target(name: "SottoModel", dependencies: ["SottoTensor"], swiftSettings: fast),
        .target(name: "SottoDecoding", dependencies: ["SottoModel", "SottoText", "SottoAudio", "CZlib"], swiftSettings: strict),
        .target(name: "SottoEval", dependencies: ["SottoDecoding"], swiftSettings: strict),
        .target(name: "SottoCompress", dependencies: ["SottoEval", "SottoTrain"], swiftSettings: strict),
        .target(name: "SottoTrain", dependencies: ["SottoModel", "SottoTensor", "COpenBLAS"], swiftSettings: fast),
        .target(
            name: "SottoServer",
            dependencies: [
                "SottoDecoding", "SottoTensor",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            resources: [.copy("Page")],
            swiftSettings: strict),
        .executableTarget(
            name: "sotto",
            dependencies: [
                "SottoEval", "SottoCompress", "SottoServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "Int8GemmBench", dependencies: ["SottoTensor", "BenchmarkSupport"], path: "Benchmarks/Int8GemmBench", swiftSettings: fast),
        .executableTarget(name: "DecoderStepBench", dependencies: ["SottoModel"], path: "Benchmarks/DecoderStepBench", swiftSettings: fast),
        .executableTarget(name: "TrainStepBench", dependencies: ["SottoTrain"], path: "Benchmarks/TrainStepBench", swiftSettings: fast),
        .executableTarget(name: "BatchDecodeBench", dependencies: ["SottoModel"], path: "Benchmarks/BatchDecodeBench", swiftSettings: fast),
        .executableTarget(name: "BatchEncodeBench", dependencies: ["SottoTensor"], path: "Benchmarks/BatchEncodeBench", swiftSettings: fast),
        .executableTarget(name: "WeightKernelBench", dependencies: ["SottoTensor", "BenchmarkSupport"], path: "Benchmarks/WeightKernelBench", swiftSettings: fast),
        .target(name: "BenchmarkSupport", path: "Benchmarks/BenchmarkSupport"),
        .executableTarget(name: "AttentionBench", dependencies: ["SottoTensor", "BenchmarkSupport"], path: "Benchmarks/AttentionBench", swiftSettings: fast),
        .executableTarget(name: "ElementwiseBench", dependencies: ["SottoTensor", "BenchmarkSupport"], path: "Benchmarks/ElementwiseBench", swiftSettings: fast),
        .target(name: "CLimits", path: "Benchmarks/CLimits"),
        .executableTarget(name: "LimitsBench", dependencies: ["SottoTensor", "BenchmarkSupport", "CLimits"], path: "Benchmarks/LimitsBench", swiftSettings: fast),
        .target(name: "SottoTestSupport", dependencies: ["SottoModel", "SottoText"], path: "Tests/SottoTestSupport"),
        .testTarget(name: "SottoTensorTests", dependencies: ["SottoTensor", "SottoTestSupport"]),
        .testTarget(name: "SottoAudioTests", dependencies: ["SottoAudio", "SottoTestSupport"]),
        .testTarget(name: "SottoTextTests", dependencies: ["SottoText", "SottoTestSupport"]),
        .testTarget(name: "SottoModelTests", dependencies: ["SottoModel", "SottoTestSupport"]),
        .testTarget(name: "SottoDecodingTests", dependencies: ["SottoDecoding", "SottoTestSupport"]),
        .testTarget(name: "SottoEvalTests", dependencies: ["SottoEval", "SottoTestSupport"]),
        .testTarget(name: "SottoCompressTests", dependencies: ["SottoCompress", "SottoTestSupport"]),
        .testTarget(name: "SottoCLITests", dependencies: ["SottoModel", "SottoTestSupport"]),
        .testTarget(name: "SottoTrainTests", dependencies: ["SottoTrain", "SottoTestSupport"]),
        .testTarget(name: "SottoServerTests", dependencies: [
            "SottoServer", "SottoTestSupport", .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
    ]
)
