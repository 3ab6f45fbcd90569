import Foundation
import Testing

/// `check-config` and `serve` on bad configs: every error, with file, line and column.
@Suite struct ConfigEndToEndTests {
    @Test func checkConfigListsEveryErrorWithLineAndColumn() async throws {
        let gateway = try GatewayProcess(sources: """
              - name: website
                type: web_form
                colour: blue
              - name: website
                type: carrier_pigeon
              - type: web_form
            """, extra: "unknown_top: 1")
        let result = try await gateway.command(["check-config"])
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        let path = gateway.configPath
        // Lines as GatewayProcess writes them: `sources:` is line 10, the first source starts on line 11.
        #expect(lines.contains { $0.hasPrefix("\(path):13:") && $0.contains("unknown key 'colour'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("\(path):14:") && $0.contains("duplicate source name 'website'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("\(path):15:") && $0.contains("unknown source type 'carrier_pigeon'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("\(path):16:") && $0.contains("missing required key 'name'") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("\(path):17:") && $0.contains("unknown key 'unknown_top'") }, "\(lines)")

        let serve = try await gateway.command(["serve"])
        #expect(serve.status != 0, "serve refuses a bad config")
        #expect(serve.stderr.contains("unknown source type 'carrier_pigeon'"))
    }

    @Test func checkConfigAcceptsTheShippedConfig() async throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let result = try await GatewayProcess.run(["check-config", "--config", root.appendingPathComponent("config/leadgate.yaml").path])
        #expect(result.status == 0, "\(result.stderr)")
        for example in (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("config/examples").path)) ?? []
        where example.hasSuffix(".yaml") {
            let checked = try await GatewayProcess.run(["check-config", "--config", root.appendingPathComponent("config/examples/\(example)").path])
            #expect(checked.status == 0, "\(example): \(checked.stderr)")
        }
    }
}
