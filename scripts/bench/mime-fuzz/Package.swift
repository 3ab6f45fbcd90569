// swift-tools-version: 6.0
// MIME parsing under load and under attack. Run it with scripts/bench/mime.sh (the benchmark) or
// scripts/bench/mime-fuzz/run.sh (the fuzzer), which link Sources/LeadGateCore, Sources/LeadGateSourceKit and
// Sources/EmailSource to the real modules first: SwiftPM refuses a target path outside the package root.
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "MIMEFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .target(name: "LeadGateCore", swiftSettings: swift6),
        .target(
            name: "LeadGateSourceKit",
            dependencies: ["LeadGateCore", .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")],
            swiftSettings: swift6
        ),
        .target(name: "EmailSource", dependencies: ["LeadGateSourceKit", "LeadGateCore"], swiftSettings: swift6),
        // The generated corpus: the benchmark's input and the fuzzer's seeds.
        .target(name: "MIMECorpus", swiftSettings: swift6),
        .executableTarget(
            name: "mime-bench", dependencies: ["MIMECorpus", "EmailSource", "LeadGateSourceKit", "LeadGateCore"], swiftSettings: swift6),
        .executableTarget(
            name: "mime-fuzz", dependencies: ["MIMECorpus", "EmailSource", "LeadGateSourceKit", "LeadGateCore"], swiftSettings: swift6),
    ]
)
