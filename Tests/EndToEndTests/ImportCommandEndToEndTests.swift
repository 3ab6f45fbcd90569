import Foundation
import Testing

/// `leadgate import`: ad-platform exports through the real binary.
@Suite struct ImportCommandEndToEndTests {
    /// A Meta "Download leads" file as Excel wants it: UTF-16LE with a BOM, tab-separated, `l:`/`p:` prefixes.
    /// Row i (from 0) is lead `l:9007199254740993+i`, created i minutes after 2026-03-01T08:00:00Z; every 1,000th row
    /// repeats the row before it (same id); row 50,000 has a time no one can read.
    static func metaExport(rows: Int) -> (data: Data, malformedLine: Int, repeats: Int) {
        var text = "id\tcreated_time\tad_name\tcampaign_name\tform_name\tis_organic\tplatform\tfull_name\temail\tphone_number\tמה התקציב?\r\n"
        var repeats = 0
        var malformedLine = 0
        for i in 0..<rows {
            let n = i % 1000 == 999 ? i - 1 : i
            if n != i { repeats += 1 }
            let minute = Date(timeIntervalSince1970: 1_772_352_000 + Double(n) * 60)
            var time = ISO8601DateFormatter().string(from: minute).replacingOccurrences(of: "Z", with: "+0000")
            if i == 50_000 {
                time = "yesterday-ish"
                malformedLine = i + 2
            }
            text += "l:\(9_007_199_254_740_993 + n)\t\(time)\tמודעה \(n % 7)\tחורף 2026\tטופס\tfalse\tfb\tדנה כהן \(n)\t"
                + "lead\(n)@example.co.il\tp:+97254\(String(format: "%07d", n))\t\(n % 5 * 10_000)\r\n"
        }
        var data = Data([0xFF, 0xFE])
        data.append(text.data(using: .utf16LittleEndian) ?? Data())
        return (data, malformedLine, repeats)
    }

    @Test func aHundredThousandRowMetaExportIsImportedOnceWithItsTrueDatesAndProblemsByLine() async throws {
        let gateway = try GatewayProcess(sources: """
              - name: facebook-il
                type: meta_lead_ads
                verify_token: v
                app_secret: s
                page_access_token: t
            """)
        let rows = 100_000
        let export = Self.metaExport(rows: rows)
        let file = gateway.directory.appendingPathComponent("leads.csv")
        try export.data.write(to: file)

        let first = try await gateway.command(["import", "--source", "facebook-il", file.path])
        #expect(first.status == 65, "one row could not be read: \(first.stderr)")
        #expect(first.stderr.contains("\(file.path):\(export.malformedLine): "), "\(first.stderr.prefix(500))")
        #expect(first.stdout.contains("\(rows) rows"), "\(first.stdout)")
        let stored = rows - export.repeats - 1
        #expect(first.stdout.contains("stored:     \(stored) new leads"), "\(first.stdout)")
        #expect(first.stdout.contains("duplicates: \(export.repeats)"), "\(first.stdout)")
        #expect(first.stdout.contains("unreadable: 1"), "\(first.stdout)")

        // The lead of row 1234: its own id (a 16-digit number above 2^53, exact), Hebrew intact, the true date.
        let listed = try await gateway.command(["leads", "list", "--json", "--query", "lead1234@example.co.il"])
        #expect(listed.status == 0)
        let found = try #require(try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [[String: Any]])
        #expect(found.count == 1)
        let sample = try #require(found.first)
        #expect((sample["touches"] as? [[String: Any]])?.first?["external_id"] as? String == "9007199254742227")
        let contact = try #require(sample["contact"] as? [String: Any])
        #expect(contact["full_name"] as? String == "דנה כהן 1234")
        #expect(contact["phone"] as? String == "+972540001234")
        #expect((sample["fields"] as? [String: String])?["מה התקציב?"] == "40000")
        // 08:00 on 1 March + 1,234 minutes (20 h 34 min).
        #expect(sample["created_at"] as? String == "2026-03-02T04:34:00Z", "\(sample["created_at"] ?? "")")

        // The same file again: every readable row is a duplicate, nothing new.
        let again = try await gateway.command(["import", "--source", "facebook-il", file.path])
        #expect(again.stdout.contains("stored:     0 new leads"), "\(again.stdout)")
        #expect(again.stdout.contains("duplicates: \(rows - 1)"), "\(again.stdout)")

        let missing = try await gateway.command(["import", "--source", "facebook-il", "/nonexistent.csv"])
        #expect(missing.status == 66)
        let unknown = try await gateway.command(["import", "--source", "nope", file.path])
        #expect(unknown.status == 64)
    }
}

