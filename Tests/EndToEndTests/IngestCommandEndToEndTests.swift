import Foundation
import Testing

/// `leadgate ingest`: the MTA pipe, with sysexits exit codes.
@Suite struct IngestCommandEndToEndTests {
    static var fixtures: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/fixtures/email")
    }

    @Test func aPipedHebrewMailBecomesALeadOnceAndGarbageIsQuarantinedWith65() async throws {
        let gateway = try GatewayProcess(sources: """
              - name: inbox
                type: email
                secret: e2e-inbox-secret-0123
            """)
        let mail = Self.fixtures.appendingPathComponent("hebrew_form_windows1255_qp.eml").path
        let first = try await gateway.command(["ingest", "--source", "inbox", mail])
        #expect(first.status == 0, "\(first.stderr)")
        let id = try #require(first.stdout.split(separator: " ").first.map(String.init))
        #expect(id.hasPrefix("ld_"))
        let again = try await gateway.command(["ingest", "--source", "inbox", mail])
        #expect(again.status == 0)
        #expect(again.stdout.contains("duplicate"), "the same Message-ID is the same touch")

        let shown = try await gateway.command(["leads", "show", id, "--json"])
        let lead = try #require(try JSONSerialization.jsonObject(with: Data(shown.stdout.utf8)) as? [String: Any])
        let contact = try #require(lead["contact"] as? [String: Any])
        #expect((contact["full_name"] as? String)?.unicodeScalars.contains { (0x05D0...0x05EA).contains($0.value) } == true, "\(contact)")

        let garbage = gateway.directory.appendingPathComponent("garbage.eml")
        try Data([0x00, 0xFF, 0x13, 0x37]).write(to: garbage)
        let refused = try await gateway.command(["ingest", "--source", "inbox", garbage.path])
        #expect(refused.status == 65, "\(refused.stdout) \(refused.stderr)")
        #expect(refused.stderr.contains("quarantined"))

        let unknown = try await gateway.command(["ingest", "--source", "nope", mail])
        #expect(unknown.status == 64)
    }

    @Test func aStoreThatCannotBeOpenedAsksTheMTAToRetryWith75() async throws {
        let gateway = try GatewayProcess(sources: """
              - name: inbox
                type: email
                secret: e2e-inbox-secret-0123
            """)
        // The database path is a directory: the store cannot open, nothing is stored, the MTA must keep the mail.
        try FileManager.default.createDirectory(atPath: gateway.databasePath, withIntermediateDirectories: true)
        let result = try await gateway.command(["ingest", "--source", "inbox", Self.fixtures.appendingPathComponent("english_enquiry_multipart_base64.eml").path])
        #expect(result.status == 75, "\(result.stderr)")
        #expect(result.stderr.contains("try again later"))
    }
}
