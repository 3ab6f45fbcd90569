// swift-tools-version: 6.0
// The criteria engine's throughput on one core. Run it with scripts/bench/criteria.sh, which links
// Sources/LeadGateCore to the real module first: SwiftPM refuses a target path outside the package root.
import PackageDescription

let package = Package(
    name: "CriteriaBench",
    targets: [
        .target(
            name: "LeadGateCore", swiftSettings: [.swiftLanguageMode(.v6)],
            linkerSettings: [.linkedLibrary("_FoundationICU", .when(platforms: [.linux]))]
        ),
        .executableTarget(name: "criteria-bench", dependencies: ["LeadGateCore"], swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
