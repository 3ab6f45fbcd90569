// swift-tools-version: 6.0
import PackageDescription

let swift6: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "LeadGate",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "leadgate", targets: ["leadgate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // Pure model and maths: Foundation only, no I/O.
        // `matches` drives the ICU that Foundation ships on Linux (see TextPattern.swift).
        .target(name: "LeadGateCore", swiftSettings: swift6, linkerSettings: [.linkedLibrary("_FoundationICU", .when(platforms: [.linux]))]),
        // What every adapter shares: protocols, InboundRequest, LeadDraft, config reading, signatures, form decoding.
        .target(
            name: "LeadGateSourceKit",
            dependencies: [
                "LeadGateCore",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swift6
        ),
        .target(
            name: "LeadGateStore",
            dependencies: ["LeadGateCore", "CSQLiteWAL", .product(name: "GRDB", package: "GRDB.swift"), .product(name: "GRDBSQLite", package: "GRDB.swift")],
            swiftSettings: swift6
        ),
        // SQLite's default VFS with each connection's WAL writes gathered into one write per commit (C: a VFS is C structs).
        .target(name: "CSQLiteWAL", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // Swift over libcurl: HTTP, SMTP and IMAP on one multi-handle thread per client.
        .target(name: "LeadGateCurl", dependencies: ["CCurl"], swiftSettings: swift6),
        // Notification channels and the outbox worker.
        .target(
            name: "LeadGateNotify",
            dependencies: [
                "LeadGateCore", "LeadGateSourceKit", "LeadGateStore", "LeadGateCurl",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        .target(
            name: "WebFormSource",
            dependencies: ["LeadGateSourceKit", "LeadGateCore"],
            path: "Plugins/WebFormSource",
            swiftSettings: swift6
        ),
        .target(
            name: "EmailSource",
            dependencies: ["LeadGateSourceKit", "LeadGateCore", .product(name: "Logging", package: "swift-log")],
            path: "Plugins/EmailSource",
            swiftSettings: swift6
        ),
        .target(name: "GoogleAdsSource", dependencies: ["LeadGateSourceKit", "LeadGateCore"], path: "Plugins/GoogleAdsSource", swiftSettings: swift6),
        .target(name: "MetaLeadAdsSource", dependencies: ["LeadGateSourceKit", "LeadGateCore"], path: "Plugins/MetaLeadAdsSource", swiftSettings: swift6),
        .target(name: "LinkedInLeadsSource", dependencies: ["LeadGateSourceKit", "LeadGateCore"], path: "Plugins/LinkedInLeadsSource", swiftSettings: swift6),
        .target(name: "TikTokLeadsSource", dependencies: ["LeadGateSourceKit", "LeadGateCore"], path: "Plugins/TikTokLeadsSource", swiftSettings: swift6),
        .target(
            name: "LeadGateServer",
            dependencies: [
                "LeadGateCore", "LeadGateSourceKit", "LeadGateStore", "LeadGateNotify", "LeadGateCurl", "WebFormSource",
                "GoogleAdsSource", "MetaLeadAdsSource", "LinkedInLeadsSource", "TikTokLeadsSource", "EmailSource",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swift6
        ),
        .executableTarget(
            name: "leadgate",
            dependencies: [
                "LeadGateServer", "LeadGateStore", "LeadGateCore", "LeadGateSourceKit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swift6
        ),
        // The ingest benchmark's baseline: a bare Hummingbird route (scripts/bench/ingest.sh).
        .executableTarget(
            name: "leadgate-bench-ceiling",
            dependencies: [.product(name: "Hummingbird", package: "hummingbird")],
            path: "scripts/bench/ceiling",
            swiftSettings: swift6
        ),
        // Fills a store with a million leads for the reports benchmark (scripts/bench/reports.sh).
        .executableTarget(
            name: "leadgate-bench-seed",
            dependencies: ["LeadGateStore", "LeadGateCore", .product(name: "GRDB", package: "GRDB.swift")],
            path: "scripts/bench/reports",
            swiftSettings: swift6
        ),
        // The intake without HTTP, counted in instructions under callgrind (scripts/bench/intake.sh).
        .executableTarget(
            name: "leadgate-bench-intake",
            dependencies: ["LeadGateServer", "LeadGateSourceKit"],
            path: "scripts/bench/intake",
            swiftSettings: swift6
        ),
        .testTarget(name: "LeadGateCoreTests", dependencies: ["LeadGateCore"], swiftSettings: swift6),
        .testTarget(name: "LeadGateSourceKitTests", dependencies: ["LeadGateSourceKit"], swiftSettings: swift6),
        .testTarget(name: "WebFormSourceTests", dependencies: ["WebFormSource", "LeadGateSourceKit"], swiftSettings: swift6),
        .testTarget(name: "EmailSourceTests", dependencies: ["EmailSource", "LeadGateSourceKit", "LeadGateCore"], swiftSettings: swift6),
        .testTarget(name: "GoogleAdsSourceTests", dependencies: ["GoogleAdsSource", "LeadGateSourceKit", "LeadGateCore"], swiftSettings: swift6),
        .testTarget(name: "MetaLeadAdsSourceTests", dependencies: ["MetaLeadAdsSource", "LeadGateSourceKit", "LeadGateCore"], swiftSettings: swift6),
        .testTarget(name: "LinkedInLeadsSourceTests", dependencies: ["LinkedInLeadsSource", "LeadGateSourceKit", "LeadGateCore"], swiftSettings: swift6),
        .testTarget(name: "TikTokLeadsSourceTests", dependencies: ["TikTokLeadsSource", "LeadGateSourceKit", "LeadGateCore"], swiftSettings: swift6),
        .testTarget(
            name: "AdapterConformanceTests",
            dependencies: ["WebFormSource", "GoogleAdsSource", "MetaLeadAdsSource", "LinkedInLeadsSource", "TikTokLeadsSource", "LeadGateSourceKit", "LeadGateCore"],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "LeadGateCurlTests",
            dependencies: [
                "LeadGateCurl",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Support/smtp_sink.py"],
            swiftSettings: swift6
        ),
        .testTarget(name: "LeadGateNotifyTests", dependencies: ["LeadGateNotify", "LeadGateStore", "LeadGateCurl"], swiftSettings: swift6),
        .testTarget(name: "LeadGateStoreTests", dependencies: ["LeadGateStore"], swiftSettings: swift6),
        .testTarget(
            name: "LeadGateServerTests",
            dependencies: [
                "LeadGateServer", "LeadGateStore", .product(name: "Hummingbird", package: "hummingbird"), .product(name: "HummingbirdTesting", package: "hummingbird"),
                // The platform APIs and the mailbox are played by real servers on loopback (Support/, shared with LeadGateCurlTests).
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: swift6
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["LeadGateCore", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["Support/webhook_receiver.py"],
            swiftSettings: swift6
        ),
    ]
)
