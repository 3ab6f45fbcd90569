// swift-tools-version: 6.0
// The gateway's JSON parser on the vendors' sample payloads, against Foundation's JSONSerialization. Run it with
// scripts/bench/json.sh, which links Sources/LeadGateCore to the real module first: SwiftPM refuses a target path
// outside the package root.
import PackageDescription

let package = Package(
    name: "JSONBench",
    targets: [
        .target(name: "LeadGateCore", swiftSettings: [.swiftLanguageMode(.v6)]),
        .executableTarget(name: "json-bench", dependencies: ["LeadGateCore"], swiftSettings: [.swiftLanguageMode(.v6)]),
    ]
)
