import Foundation
import Testing
@testable import LeadGateCore

/// One field test against the sample lead (see `CriteriaFixture.input`).
struct CriteriaFieldCase: Sendable, CustomTestStringConvertible {
    var field: String
    var op: ConditionOperator
    var value: ConditionValue
    var caseSensitive = false
    var change: @Sendable (inout CriteriaInput) -> Void = { _ in }
    var expected: Bool
    var note: String?

    init(
        _ field: String, _ op: ConditionOperator, _ value: ConditionValue, caseSensitive: Bool = false,
        change: @escaping @Sendable (inout CriteriaInput) -> Void = { _ in }, _ expected: Bool, note: String? = nil
    ) {
        self.field = field
        self.op = op
        self.value = value
        self.caseSensitive = caseSensitive
        self.change = change
        self.expected = expected
        self.note = note
    }

    var testDescription: String { "\(field) \(op.rawValue) \(value)\(caseSensitive ? " (case sensitive)" : "") → \(expected)" }
}

@Suite("Criteria evaluation")
struct CriteriaEvaluationTests {
    typealias Row = CriteriaFieldCase

    /// Twelve fields of a sender's own, and `budget` among them when given.
    static func manyFields(budget: String?) -> [String: String] {
        var fields = Dictionary(uniqueKeysWithValues: (1...12).map { ("q\($0)", "answer \($0)") })
        fields["budget"] = budget
        return fields
    }

    static let presence: [Row] = [
        Row("email", .present, .bare("true"), true),
        Row("fields.nothing", .present, .bare("true"), false),
        Row("fields.nothing", .present, .bare("false"), true),
        Row("fields.nothing", .absent, .bare("true"), true),
        Row("phone", .absent, .bare("true"), false),
        Row("phone", .absent, .bare("no"), true),
        Row("fields.empty", .present, .bare("true"), false),        // an empty answer is no answer
        Row("email_free", .present, .bare("true"), change: { $0.contact.email = nil }, false),
        Row("phone_type", .present, .bare("true"), change: { $0.phoneLineType = nil }, false),
        Row("hour", .present, .bare("true"), true),
    ]

    static let equality: [Row] = [
        Row("full_name", .equals, .bare("דנה כהן"), true),
        Row("first_name", .equals, .bare("דנה"), true),
        Row("last_name", .equals, .bare("לוי"), false),
        Row("city", .equals, .bare("tel aviv"), true),
        Row("city", .equals, .bare("tel aviv"), caseSensitive: true, false),
        Row("city", .equals, .bare("Tel Aviv"), caseSensitive: true, true),
        Row("source", .equals, .bare("WEBSITE"), true),
        Row("source_type", .equals, .bare("web_form"), true),
        Row("campaign", .equals, .bare("winter-promo"), true),
        Row("company", .equals, .bare("acme בע״מ"), true),
        Row("fields.cafe", .equals, .string("café"), true),            // NFD in the lead, NFC in config
        Row("fields.employees", .equals, .bare("50"), true),
        Row("fields.employees", .equals, .bare("50.0"), true),          // a bare number compares as a number
        Row("fields.employees", .equals, .string("50.0"), false),       // a quoted one as text
        Row("fields.budget", .equals, .bare("20000"), true),
        Row("fields.budget", .equals, .string("20000"), false),
        Row("fields.budget", .equals, .string("₪20,000"), true),
        Row("email_free", .equals, .bare("false"), true),
        Row("email_free", .equals, .bare("true"), change: { $0.contact.email = "dana@gmail.com" }, true),
        Row("email_free", .equals, .bare("true"), change: { $0.contact.email = "dana@Walla.co.il" }, true),
        Row("email_free", .equals, .bare("true"), change: { $0.contact.email = "x@yahoo.co.uk" }, true),
        Row("email_free", .equals, .bare("false"), change: { $0.contact.email = nil }, false),
        Row("email_domain", .equals, .bare("acme.co.il"), true),
        Row("email_domain", .equals, .bare("acme.co.il"), change: { $0.contact.email = "dana@ACME.CO.IL" }, true),
        Row("phone_type", .equals, .bare("mobile"), true),
        Row("phone_type", .equals, .bare("toll_free"), change: { $0.phoneLineType = .tollFree }, true),
        Row("phone_country", .equals, .bare("il"), true),
        Row("country", .equals, .bare("US"), false),
        Row("weekday", .equals, .bare("saturday"), true),
        Row("weekday", .equals, .bare("Saturday"), true),
        Row("hour", .equals, .bare("12"), true),
        Row("utm_medium", .equals, .bare("cpc"), true),
        Row("utm_content", .equals, .bare("banner-b"), false),
        Row("job_title", .equals, .bare("ceo"), change: { $0.contact.jobTitle = nil }, false),
    ]

    static let membership: [Row] = [
        Row("country", .in, CriteriaFixture.bare("IL", "US"), true),
        Row("country", .notIn, CriteriaFixture.bare("US", "GB"), true),
        Row("country", .notIn, CriteriaFixture.bare("il"), false),
        Row("city", .notIn, CriteriaFixture.bare("Haifa"), change: { $0.contact.city = nil }, false),  // missing: false
        Row("utm_source", .in, CriteriaFixture.bare("Google", "facebook"), true),
        Row("source", .in, CriteriaFixture.bare("website", "facebook-il"), true),
        Row("weekday", .in, CriteriaFixture.bare("sunday", "monday", "tuesday", "wednesday", "thursday"), false),
        Row("weekday", .notIn, CriteriaFixture.bare("friday", "saturday"), false),
        Row("hour", .in, CriteriaFixture.bare("9", "10", "11"), false),
        Row("hour", .notIn, CriteriaFixture.bare("0", "1", "2"), true),
        Row("city", .in, .list([.bare("תל אביב"), .bare("Tel Aviv")]), true),
        Row("city", .in, .list([.bare("tel aviv")]), caseSensitive: true, false),
        Row("fields.budget", .in, CriteriaFixture.bare("10000", "20000"), true),
        Row("phone_type", .notIn, CriteriaFixture.bare("voip", "toll_free"), true),
    ]

    static let text: [Row] = [
        Row("company", .contains, .bare("בע״מ"), true),
        Row("job_title", .contains, .bare("coo"), true),
        Row("job_title", .contains, CriteriaFixture.bare("ceo", "cto"), false),
        Row("job_title", .contains, CriteriaFixture.bare("ceo", "coo"), true),
        Row("fields.message", .contains, .bare("הצעת מחיר"), true),
        Row("fields.message", .contains, .bare("crm"), true),
        Row("utm_term", .contains, .bare("CRM"), caseSensitive: true, false),
        Row("fields.cafe", .contains, .string("é"), true),
        Row("fields.nothing", .contains, .bare("x"), false),
        Row("email", .matches, .string("@acme\\.co\\.il$"), true),
        Row("phone", .matches, .string("^\\+9725"), true),
        Row("full_name", .matches, .string("^דנה"), true),
        Row("job_title", .matches, .string("^c.o$"), true),
        Row("job_title", .matches, .string("^c.o$"), caseSensitive: true, false),
        Row("fields.cafe", .matches, .string("^café$"), true),        // both sides composed before matching
        Row("fields.nothing", .matches, .string(".*"), false),
    ]

    /// Text in several scripts and forms: ASCII capitals beside Hebrew or Arabic are lowered as the
    /// value is read; anything else (Cyrillic or Latin capitals, combining marks, emoji) is folded first.
    static let scripts: [Row] = {
        let title = { @Sendable (input: inout CriteriaInput) in input.contact.jobTitle = "VP מכירות" }
        let note = { @Sendable (input: inout CriteriaInput) in input.fields["note"] = "🔥 HOT lead" }
        return [
            Row("job_title", .contains, .bare("vp"), change: title, true),
            Row("job_title", .contains, .bare("vpמ"), change: title, false),
            Row("job_title", .equals, .bare("vp מכירות"), change: title, true),
            Row("job_title", .equals, .bare("vp"), change: title, false),
            Row("job_title", .equals, .bare("vp מכירות"), caseSensitive: true, change: title, false),
            Row("job_title", .matches, .string("^vp\\s+מכ"), change: title, true),
            Row("full_name", .equals, .bare("ahmed أحمد"), change: { $0.contact.fullName = "AHMED أحمد" }, true),
            Row("full_name", .equals, .bare("ольга иванова"), change: { $0.contact.fullName = "Ольга Иванова" }, true),
            Row("full_name", .contains, .bare("IVANOVA"), change: { $0.contact.fullName = "Olga IVANOVA" }, true),
            Row("full_name", .equals, .bare("JOSÉ"), change: { $0.contact.fullName = "José" }, true),
            Row("company", .contains, .bare("acme – בע״מ"), change: { $0.contact.company = "ACME – בע״מ ₪" }, true),
            // Shin with qamats and shin dot in either order: canonically the same text.
            Row("fields.word", .equals, .string("ש\u{5C1}\u{5B8}"), change: { $0.fields["word"] = "ש\u{5B8}\u{5C1}" }, true),
            Row("fields.note", .contains, .bare("hot"), change: note, true),
            // The emoji is a surrogate pair in ICU's UTF-16, and one character to the pattern.
            Row("fields.note", .matches, .string("^🔥 hot"), change: note, true),
            Row("fields.note", .matches, .string("^.\\shot"), change: note, true),
            Row("utm_source", .in, CriteriaFixture.bare("a", "b", "c", "d", "e", "f", "g", "h", "google"), change: { $0.attribution.utmSource = "Google" }, true),
            Row("utm_source", .in, CriteriaFixture.bare("a", "b", "c", "d", "e", "f", "g", "h", "google"), caseSensitive: true, change: { $0.attribution.utmSource = "Google" }, false),
        ]
    }()

    static let comparison: [Row] = [
        Row("fields.budget", .gte, .bare("10000"), true),
        Row("fields.budget", .gt, .bare("20000"), false),
        Row("fields.budget", .gte, .bare("20000"), true),
        Row("fields.budget", .lt, .bare("20k"), false),
        Row("fields.budget", .lte, .string("₪20,000"), true),
        Row("fields.budget", .gte, .bare("10000"), change: { $0.fields["budget"] = "$20k" }, true),
        Row("fields.budget", .gte, .bare("10000"), change: { $0.fields["budget"] = "1.5M" }, true),
        Row("fields.budget", .gte, .bare("10000"), change: { $0.fields["budget"] = "20 000" }, true),
        Row("fields.budget", .gte, .bare("10000"), change: { $0.fields["budget"] = "20000 ₪" }, true),
        Row("fields.budget", .gte, .bare("10000"), change: { $0.fields["budget"] = "20K" }, true),
        Row("fields.budget", .gte, .bare("10000"), change: { $0.fields["budget"] = "lots" }, false, note: "not a number"),
        Row("fields.budget", .lt, .bare("10000"), change: { $0.fields["budget"] = "lots" }, false, note: "not a number"),
        Row("fields.guess", .gt, .bare("10"), false, note: "not a number"),
        Row("fields.budget", .gt, .bare("5000"), change: { $0.fields["budget"] = nil }, false),
        // A form with many fields of its own: looked up by hash rather than scanned, found or not alike.
        Row("fields.budget", .gte, .bare("10000"), change: { $0.fields = CriteriaEvaluationTests.manyFields(budget: "20000") }, true),
        Row("fields.budget", .gte, .bare("10000"), change: { $0.fields = CriteriaEvaluationTests.manyFields(budget: "500") }, false),
        Row("fields.budget", .present, .bare("true"), change: { $0.fields = CriteriaEvaluationTests.manyFields(budget: nil) }, false),
        Row("fields.employees", .lt, .bare("100"), true),
        Row("hour", .gte, .bare("9"), true),
        Row("hour", .lt, .bare("12"), false),
        Row("hour", .lte, .bare("12"), true),
    ]

    @Test("present and absent", arguments: presence)
    func presenceRows(_ row: Row) throws { try check(row) }

    @Test("equals", arguments: equality)
    func equalsRows(_ row: Row) throws { try check(row) }

    @Test("in and not_in", arguments: membership)
    func membershipRows(_ row: Row) throws { try check(row) }

    @Test("contains and matches", arguments: text)
    func textRows(_ row: Row) throws { try check(row) }

    @Test("text across scripts", arguments: scripts)
    func scriptRows(_ row: Row) throws { try check(row) }

    @Test("gt, gte, lt, lte", arguments: comparison)
    func comparisonRows(_ row: Row) throws { try check(row) }

    private func check(_ row: Row) throws {
        let condition = try CriteriaFixture.test(row.field, row.op, row.value, caseSensitive: row.caseSensitive)
        let input = CriteriaFixture.input(row.change)
        var scratch = input.scratch()
        #expect(condition.evaluate(input.lead, &scratch) == row.expected)
        #expect(condition.holds(for: input) == row.expected)
        #expect(scratch.trace.count == 1)
        #expect(scratch.trace.first?.note == row.note)
    }

    static func combinatorCases() throws -> [(String, Condition, Bool)] {
        let email = try CriteriaFixture.test("email", .present, .bare("true"))
        let phone = try CriteriaFixture.test("phone", .present, .bare("true"))
        let x = try CriteriaFixture.test("fields.x", .present, .bare("true"))
        let y = try CriteriaFixture.test("fields.y", .present, .bare("true"))
        let xIn = try CriteriaFixture.test("fields.x", .in, CriteriaFixture.bare("a"))
        return [
            ("all of two that hold", .all([email, phone]), true),
            ("all with one missing", .all([email, x]), false),
            ("any with one that holds", .any([x, phone]), true),
            ("any of none that hold", .any([x, y]), false),
            ("not of one that holds", .not(email), false),
            ("not of in on a missing value", .not(xIn), true),
            ("not not", .not(.not(email)), true),
            ("nested", .all([.any([x, phone]), .not(xIn)]), true),
            ("nested, inner any fails", .all([email, .any([x, y])]), false),
            ("empty all", .all([]), true),
            ("empty any", .any([]), false),
        ]
    }

    @Test("all, any and not", arguments: try combinatorCases())
    func combinators(_ name: String, _ condition: Condition, expected: Bool) {
        #expect(condition.holds(for: CriteriaFixture.input()) == expected, "\(name)")
    }

    @Test("any stops at the first test that holds, all at the first that fails")
    func shortCircuit() throws {
        let x = try CriteriaFixture.test("fields.x", .present, .bare("true"))
        let phone = try CriteriaFixture.test("phone", .present, .bare("true"))
        let email = try CriteriaFixture.test("email", .present, .bare("true"))
        let input = CriteriaFixture.input()
        var scratch = input.scratch()
        #expect(Condition.any([x, phone, email]).evaluate(input.lead, &scratch))
        #expect(scratch.trace.map(\.field) == [.custom("x"), .phone])
        scratch = input.scratch()
        #expect(!Condition.all([email, x, phone]).evaluate(input.lead, &scratch))
        #expect(scratch.trace.map(\.field) == [.email, .custom("x")])
    }

    @Test("a pattern tested by many evaluations at once answers each for its own value")
    func patternUnderConcurrency() async throws {
        let pattern = try CriteriaFixture.test("full_name", .matches, .string("^(test|דנה)\\b"))
        // Long and short values in turn: a matcher reused for a short value must not see the last long one.
        let names = [
            ("Test User", true), ("דנה כהן", true), (String(repeating: "x", count: 5_000) + " test", false), ("tester", false),
            ("Avi Levi", false), ("דנהלה", false), ("TEST", true), ("", false),
        ]
        let wrong = await withTaskGroup(of: Int.self) { group in
            for task in 0..<8 {
                group.addTask {
                    var wrong = 0
                    for round in 0..<400 {
                        let (name, expected) = names[(task + round) % names.count]
                        if pattern.holds(for: CriteriaFixture.input { $0.contact.fullName = name }) != expected { wrong += 1 }
                    }
                    return wrong
                }
            }
            return await group.reduce(0, +)
        }
        #expect(wrong == 0)
    }

    @Test("hour and weekday in the server's time zone", arguments: [
        // 2026-11-28T23:30Z is 01:30 on Sunday in Jerusalem (UTC+2).
        (1_795_908_600.0, "Asia/Jerusalem", 1, "sunday"),
        (1_795_908_600.0, "UTC", 23, "saturday"),
        // 2026-07-15T21:30Z is 00:30 on Thursday in Jerusalem (summer time, UTC+3).
        (1_784_151_000.0, "Asia/Jerusalem", 0, "thursday"),
        (1_784_151_000.0, "America/New_York", 17, "wednesday"),
        // Before 1970: 1969-12-31T12:00Z was a Wednesday.
        (-43_200.0, "UTC", 12, "wednesday"),
    ] as [(Double, String, Int, String)])
    func localTime(seconds: Double, zone: String, hour: Int, weekday: String) throws {
        let timeZone = try #require(TimeZone(identifier: zone))
        let input = CriteriaFixture.input {
            $0.receivedAt = Date(timeIntervalSince1970: seconds)
            $0.timeZone = timeZone
        }
        #expect(try CriteriaFixture.test("hour", .equals, .bare(String(hour))).holds(for: input))
        #expect(try CriteriaFixture.test("weekday", .equals, .bare(weekday)).holds(for: input))
    }

    @Test("config can extend the free-mail list")
    func extendedFreeMail() throws {
        let condition = try CriteriaFixture.test("email_free", .equals, .bare("true"))
        let shipped = CriteriaFixture.input { $0.contact.email = "someone@corp-mail.example" }
        #expect(!condition.holds(for: shipped))
        let extended = try FreeEmailDomains.shipped.adding(["Corp-Mail.example"])
        #expect(condition.holds(for: CriteriaFixture.input {
            $0.contact.email = "someone@corp-mail.example"
            $0.freeEmailDomains = extended
        }))
    }

    /// A field, an operator and an operand that do not fit, and the key the problem points at.
    struct RefusedCase: Sendable, CustomTestStringConvertible {
        var field: String
        var op: ConditionOperator
        var value: ConditionValue
        var caseSensitive = false
        var key: String
        var index: Int?
        var message: String

        var testDescription: String { "\(field) \(op.rawValue) \(value) → \(message)" }
    }

    @Test("conditions that do not fit their field are refused at load", arguments: [
        RefusedCase(field: "budget", op: .gt, value: .bare("5"), key: "field", message: "unknown field 'budget'"),
        RefusedCase(field: "fields.", op: .present, value: .bare("true"), key: "field", message: "unknown field 'fields.'"),
        RefusedCase(field: "Email", op: .present, value: .bare("true"), key: "field", message: "unknown field 'Email'"),
        RefusedCase(field: "email_free", op: .gt, value: .bare("1"), key: "gt", message: "gt compares numbers, and email_free is true or false"),
        RefusedCase(field: "weekday", op: .lt, value: .bare("friday"), key: "lt", message: "lt compares numbers"),
        RefusedCase(field: "country", op: .gte, value: .bare("1"), key: "gte", message: "gte compares numbers"),
        RefusedCase(field: "fields.budget", op: .gt, value: .bare("lots"), key: "gt", message: "gt takes a number, found 'lots'"),
        RefusedCase(field: "fields.budget", op: .lte, value: .list([.bare("1")]), key: "lte", message: "lte takes a number, found a list"),
        RefusedCase(field: "source", op: .in, value: .bare("website"), key: "in", message: "in takes a non-empty list"),
        RefusedCase(field: "source", op: .notIn, value: .list([]), key: "not_in", message: "not_in takes a non-empty list"),
        RefusedCase(field: "source", op: .in, value: .list([.bare("a"), .list([.bare("b")])]), key: "in", index: 1, message: "not a nested list"),
        RefusedCase(field: "email", op: .present, value: .bare("maybe"), key: "present", message: "present takes true or false"),
        RefusedCase(field: "email", op: .absent, value: .list([.bare("true")]), key: "absent", message: "absent takes true or false"),
        RefusedCase(field: "source", op: .equals, value: .list([.bare("a")]), key: "equals", message: "equals takes one value; use in for a list"),
        RefusedCase(field: "email", op: .matches, value: .string("(["), key: "matches", message: "'([' is not a valid regular expression"),
        RefusedCase(field: "email_free", op: .contains, value: .bare("gmail"), key: "contains", message: "contains applies to text"),
        RefusedCase(field: "weekday", op: .matches, value: .bare("^s"), key: "matches", message: "matches applies to text"),
        RefusedCase(field: "email_free", op: .in, value: CriteriaFixture.bare("true"), key: "in", message: "email_free is true or false: use equals"),
        RefusedCase(field: "email_free", op: .equals, value: .bare("gmail"), key: "equals", message: "equals takes true or false"),
        RefusedCase(field: "weekday", op: .equals, value: .bare("5"), key: "equals", message: "'5' is not a value of weekday"),
        RefusedCase(field: "weekday", op: .in, value: CriteriaFixture.bare("friday", "fri"), key: "in", index: 1, message: "'fri' is not a value of weekday"),
        RefusedCase(field: "phone_type", op: .equals, value: .bare("cell"), key: "equals", message: "use one of mobile, landline, toll_free, voip, unknown"),
        RefusedCase(field: "hour", op: .equals, value: .bare("24"), key: "equals", message: "hour is a whole number from 0 to 23, found '24'"),
        RefusedCase(field: "hour", op: .in, value: CriteriaFixture.bare("9", "noon"), key: "in", index: 1, message: "found 'noon'"),
        RefusedCase(field: "country", op: .equals, value: .bare("Israel"), key: "equals", message: "ISO 3166-1 alpha-2 codes such as IL"),
        RefusedCase(field: "company", op: .contains, value: .string(""), key: "contains", message: "contains takes a non-empty text"),
        RefusedCase(field: "fields.budget", op: .gt, value: .bare("5"), caseSensitive: true, key: "case_sensitive", message: "case_sensitive applies only to"),
        RefusedCase(field: "weekday", op: .equals, value: .bare("friday"), caseSensitive: true, key: "case_sensitive", message: "case_sensitive applies only to"),
    ])
    func refused(_ row: RefusedCase) {
        #expect {
            try CriteriaFixture.test(row.field, row.op, row.value, caseSensitive: row.caseSensitive)
        } throws: { error in
            guard let problem = (error as? CriteriaError)?.problems.first else { return false }
            return problem.key == row.key && problem.index == row.index && problem.message.contains(row.message)
        }
    }
}
