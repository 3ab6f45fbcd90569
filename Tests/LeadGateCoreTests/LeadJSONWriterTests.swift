import Foundation
import LeadGateCore
import Testing

/// `LeadJSON.bytes` and `JSONWriter` against the reference they replace: `LeadJSON.encoder()`.
@Suite struct LeadJSONWriterTests {
    static func encoded<T: Encodable>(_ value: T) throws -> [UInt8] {
        Array(try LeadJSON.encoder().encode(value))
    }

    static func written(_ write: (inout JSONWriter) -> Void) -> [UInt8] {
        var writer = JSONWriter()
        write(&writer)
        return writer.bytes
    }

    // MARK: Leads

    @Test(arguments: LeadSamples.handBuilt)
    func handBuiltLeadsMatchTheEncoder(sample: LeadSamples.Named) throws {
        #expect(try LeadJSON.bytes(sample.lead) == Self.encoded(sample.lead), "\(sample.name)")
    }

    @Test(arguments: 0..<400)
    func generatedLeadsMatchTheEncoder(seed: Int) throws {
        let lead = LeadSamples.generated(seed: UInt64(seed))
        let fast = try LeadJSON.bytes(lead)
        let reference = try Self.encoded(lead)
        #expect(fast == reference, "seed \(seed):\n\(String(decoding: fast, as: UTF8.self))\n\(String(decoding: reference, as: UTF8.self))")
    }

    @Test(arguments: 0..<400)
    func generatedLeadsReadBackWithWholeSecondDates(seed: Int) throws {
        let lead = LeadSamples.generated(seed: UInt64(seed))
        let decoded = try LeadJSON.decoder().decode(Lead.self, from: Data(try LeadJSON.bytes(lead)))
        #expect(decoded == LeadSamples.wholeSeconds(lead))
    }

    @Test(arguments: LeadSamples.handBuilt)
    func handBuiltLeadsReadBack(sample: LeadSamples.Named) throws {
        let decoded = try LeadJSON.decoder().decode(Lead.self, from: Data(try LeadJSON.bytes(sample.lead)))
        #expect(decoded == LeadSamples.wholeSeconds(sample.lead), "\(sample.name)")
    }

    @Test func theWriterEmbedsALeadInALargerDocument() throws {
        let lead = LeadSamples.generated(seed: 99)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("data")
        try writer.lead(lead)
        writer.field("type", "lead.created")
        writer.endObject()
        struct Envelope: Encodable { var data: Lead; var type: String }
        #expect(writer.bytes == (try Self.encoded(Envelope(data: lead, type: "lead.created"))))
    }

    @Test(arguments: [Double.nan, .infinity, -.infinity])
    func nonFiniteNumbersThrowLikeTheEncoderAndWriteNothing(bad: Double) throws {
        for (amount, probability) in [(bad, 0.5), (1000, bad)] {
            var lead = LeadSamples.generated(seed: 5)
            lead.opportunity = Opportunity(stage: "new", amount: amount, currency: "ILS", probability: probability, expectedClose: nil)
            let expected = try #require(Self.encodingError { _ = try LeadJSON.encoder().encode(lead) })
            let actual = try #require(Self.encodingError { _ = try LeadJSON.bytes(lead) })
            #expect(actual.path == expected.path)
            #expect(actual.description == expected.description)
            var writer = JSONWriter()
            #expect(throws: EncodingError.self) { try writer.lead(lead) }
            #expect(writer.bytes.isEmpty)
        }
    }

    static func encodingError(_ body: () throws -> Void) -> (path: [String], description: String)? {
        do {
            try body()
            return nil
        } catch let EncodingError.invalidValue(_, context) {
            return (context.codingPath.map(\.stringValue), context.debugDescription)
        } catch {
            return nil
        }
    }

    // MARK: The writer's pieces

    /// Every ASCII byte alone, and the characters around the places escaping could go wrong.
    static let strings: [String] = (0...0x7F).map { String(UnicodeScalar(UInt8($0))) } + [
        "", "a\"b\\c/d", "</script>", "https://acme.co.il/path?a=1&b=2", "\u{80}\u{9F}\u{A0}", "\u{2028}\u{2029}",
        "\u{FEFF}", "\u{E000}\u{FFFD}\u{FFFF}\u{10FFFF}", "דנה כהן", "مرحبا", "Привет", "王小明", "👩‍💻🇮🇱", "e\u{301}",
        "\r\n\t\u{8}\u{C}\u{B}\u{0}\u{1F}\u{7F}", String(repeating: "x\"", count: 300),
    ]

    @Test(arguments: strings)
    func stringsAreEscapedAsTheEncoderEscapesThem(text: String) throws {
        #expect(Self.written { $0.string(text) } == (try Self.encoded(text)))
        #expect(Self.written { $0.beginObject(); $0.key(text); $0.int(1); $0.endObject() } == (try Self.encoded([text: 1])))
    }

    @Test(arguments: [
        0, -0.0, 1, -1, 1500, 0.1, -2.5, 100.25, 1.0 / 3, 0.1 + 0.2, 1e15, 1e16, 123_456_789_012_345_680, 1e21, 1e22,
        1.5e-7, 0.0001, 1e-5, .leastNonzeroMagnitude, .leastNormalMagnitude, .greatestFiniteMagnitude, -1e300, 9_007_199_254_740_994,
    ] as [Double])
    func doublesAreWrittenAsTheEncoderWritesThem(value: Double) throws {
        #expect(Self.written { $0.double(value) } == (try Self.encoded(value)))
    }

    @Test func randomDoublesAreWrittenAsTheEncoderWritesThem() throws {
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<2000 {
            let value = Double(bitPattern: generator.next())
            guard value.isFinite else { continue }
            #expect(Self.written { $0.double(value) } == (try Self.encoded(value)), "\(value)")
        }
    }

    @Test func nonFiniteDoublesAreWrittenAsNull() {
        #expect(Self.written { $0.double(.nan) } == Array("null".utf8))
    }

    @Test(arguments: [Int.min, -1, 0, 7, 200, Int.max])
    func intsAreWrittenAsTheEncoderWritesThem(value: Int) throws {
        #expect(Self.written { $0.int(value) } == (try Self.encoded(value)))
    }

    /// Since the reference date, in seconds: the epoch, fractions either side of whole seconds, before 1970,
    /// the Gregorian reform (Foundation's calendar is Julian before it), and years of five digits.
    @Test(arguments: [
        -978_307_200, -978_307_200.5, 0, -1e-300, 1e-300, -0.0000001, 0.9999999, 1.0.nextDown, (-1.0).nextUp,
        816_000_000.123, 816_000_000.999_999, -2_000_000_000.25, -13_197_600_000, -13_197_600_000.000_002, -13_197_600_001,
        -63_114_076_800, 252_423_993_600.0.nextDown, 252_423_993_600, 1e12, Date.distantPast.timeIntervalSinceReferenceDate,
        Date.distantFuture.timeIntervalSinceReferenceDate,
    ] as [Double])
    func datesAreWrittenAsTheEncoderWritesThem(interval: Double) throws {
        let date = Date(timeIntervalSinceReferenceDate: interval)
        #expect(Self.written { $0.date(date) } == (try Self.encoded(date)))
    }

    @Test func randomDatesAreWrittenAsTheEncoderWritesThem() throws {
        var generator = SeededGenerator(seed: 12)
        for _ in 0..<3000 {
            let whole = Double(Int64.random(in: -14_000_000_000...260_000_000_000, using: &generator))
            for interval in [whole, whole.nextDown, whole + Double.random(in: 0..<1, using: &generator)] {
                let date = Date(timeIntervalSinceReferenceDate: interval)
                #expect(Self.written { $0.date(date) } == (try Self.encoded(date)), "\(interval)")
            }
        }
    }

    /// `.sortedKeys` orders by UTF-8 bytes: upper case before `_` before lower case, digits as text, non-ASCII last.
    @Test func objectKeysComeInTheEncodersOrder() throws {
        let keys = [
            "utm_source", "utmSource", "UTM_SOURCE", "Utm", "utm", "a", "A", "b", "B", "_x", "z", "Z", "10", "9", "x10", "x2",
            "", " ", "~", "\u{7F}", "é", "e\u{301}f", "ß", "ss", "ａ", "שם", "اسم", "Имя", "名前", "😀", "\u{E000}", "\u{FFFD}",
        ]
        let fields = Dictionary(keys.enumerated().map { ($1, String($0)) }, uniquingKeysWith: { first, _ in first })
        #expect(Self.written { $0.beginObject(); $0.field("f", fields); $0.endObject() } == (try Self.encoded(["f": fields])))
    }
}

/// Leads for the writer tests: a table of edge cases and a seeded generator.
enum LeadSamples {
    struct Named: Sendable, CustomTestStringConvertible {
        var name: String
        var lead: Lead
        var testDescription: String { name }
    }

    static let epoch = Date(timeIntervalSince1970: 1_795_860_000.75)

    static func minimal(_ change: (inout Lead) -> Void = { _ in }) -> Lead {
        var lead = Lead(
            id: "ld_01", status: .lead, contact: Contact(), attribution: Attribution(source: "", sourceType: ""), fields: [:],
            consent: Consent(), touches: [], createdAt: epoch, updatedAt: epoch
        )
        change(&lead)
        return lead
    }

    static let handBuilt: [Named] = [
        Named(name: "bare", lead: minimal()),
        Named(name: "every optional present", lead: generated(seed: 1, presence: 1)),
        Named(name: "every optional absent", lead: generated(seed: 2, presence: 0)),
        Named(name: "design sample", lead: minimal {
            $0.status = .opportunity
            $0.contact = Contact(fullName: "דנה כהן", firstName: "דנה", lastName: "כהן", email: "dana@acme.co.il", phone: "+972541234567",
                                 company: "Acme בע״מ", jobTitle: "COO", country: "IL", city: "Tel Aviv")
            $0.attribution.landingURL = "https://acme.co.il/crm?utm_source=google&utm_medium=cpc"
            $0.attribution.clickIDs = ["msclkid": "abc", "ttclid": "x/y", "li_fat_id": "1", "gbraid": "G", "wbraid": "W"]
            $0.fields = ["budget": "₪20,000", "message": "שלום\nעולם", "Budget": "x", "budget_max": "y", "budget2": "z", "budget10": "w"]
            $0.consent = Consent(marketing: true, at: Date(timeIntervalSince1970: 1_795_860_001.999))
            $0.qualification = Qualification(criteria: "crm@3", score: 40, decision: .opportunity, rejectedBy: nil, reasons: [
                QualificationReason(rule: "budget", passed: true, points: 30, value: "20000"),
                QualificationReason(rule: "role", passed: false, points: 0, value: nil, note: "not a number"),
            ])
            $0.opportunity = Opportunity(stage: "new", amount: 20_000, currency: "ILS", probability: 0.1, expectedClose: "2026-12-28")
            $0.touches = [TouchSummary(id: "tc_1", source: "website", externalID: nil, receivedAt: epoch)]
        }),
        Named(name: "pending fetch", lead: minimal {
            $0.status = .pendingFetch
            $0.fetch = FetchStatus(state: .needsConfiguration, attempts: 3, nextAttemptAt: nil, lastStatus: 0, lastError: "HTTP 403 \"forbidden\"")
            $0.deletedAtSource = Date(timeIntervalSince1970: -0.5)
        }),
        Named(name: "controls and escapes everywhere", lead: minimal {
            $0.id = "\u{0}\u{1}\u{8}\u{C}\u{1F}\u{7F}"
            $0.rejectReason = "\"quoted\" \\ back/slash"
            $0.fields = ["\n": "\r", "\t": "\u{B}", "\"": "\\", "/": "</script>", "": ""]
            $0.problems = [NormalizationProblem(field: "phone", reason: "\u{2028}line\u{2029}"), NormalizationProblem(field: "", reason: "")]
        }),
        Named(name: "numbers at their limits", lead: minimal {
            $0.opportunity = Opportunity(stage: "won", amount: -0.0, currency: nil, probability: 1, expectedClose: nil, closedAt: epoch, manual: true)
            $0.fetch = FetchStatus(state: .gaveUp, attempts: Int.max, nextAttemptAt: epoch, lastStatus: Int.min)
            $0.qualification = Qualification(criteria: "", score: -5, decision: .rejected, rejectedBy: "unreachable", reasons: [])
        }),
        Named(name: "huge amount", lead: minimal {
            $0.opportunity = Opportunity(stage: "s", amount: 1e21, currency: "USD", probability: 1e-7, expectedClose: nil)
        }),
        Named(name: "before the Gregorian reform and after 9999", lead: minimal {
            $0.createdAt = Date(timeIntervalSince1970: -30_000_000_000.5)
            $0.updatedAt = Date(timeIntervalSince1970: 1e12)
        }),
    ]

    /// The lead as `.iso8601` reads it back: every date rounded down to its second.
    static func wholeSeconds(_ lead: Lead) -> Lead {
        func whole(_ date: Date) -> Date { Date(timeIntervalSinceReferenceDate: date.timeIntervalSinceReferenceDate.rounded(.down)) }
        var lead = lead
        lead.createdAt = whole(lead.createdAt)
        lead.updatedAt = whole(lead.updatedAt)
        lead.deletedAtSource = lead.deletedAtSource.map(whole)
        lead.consent.at = lead.consent.at.map(whole)
        lead.touches = lead.touches.map { TouchSummary(id: $0.id, source: $0.source, externalID: $0.externalID, receivedAt: whole($0.receivedAt)) }
        if var fetch = lead.fetch {
            fetch.nextAttemptAt = fetch.nextAttemptAt.map(whole)
            lead.fetch = fetch
        }
        if var opportunity = lead.opportunity {
            opportunity.closedAt = opportunity.closedAt.map(whole)
            lead.opportunity = opportunity
        }
        return lead
    }

    // MARK: Generator

    static let pieces = [
        "Dana", "acme.co.il", " ", "", "דנה כהן", "مرحبا بالعالم", "Привет", "王小明", "👩‍💻", "🇮🇱", "e\u{301}", "\u{E9}",
        "\"", "\\", "/", "</script>", "https://acme.co.il/a?b=c&d=e", "\n", "\r\n", "\t", "\u{0}", "\u{8}", "\u{B}", "\u{C}",
        "\u{1F}", "\u{7F}", "\u{80}", "\u{2028}", "\u{FEFF}", "\u{10FFFF}", "₪20,000", "+972541234567",
    ]

    static let keys = [
        "utm_source", "utmSource", "UTM_SOURCE", "Utm", "a", "A", "_x", "x10", "x2", "10", "9", "budget", "Budget",
        "שם", "اسم", "Имя", "名前", "😀", "é", "e\u{301}", "ß", "ss", "msclkid", "ttclid", "li_fat_id", "gbraid", "wbraid",
    ]

    static let doubles: [Double] = [0, -0.0, 1, 1500, 0.1, -2.5, 0.1 + 0.2, 1e15, 1e16, 1e21, 1e22, 123_456.789, 1.5e-7, .leastNonzeroMagnitude, .greatestFiniteMagnitude, -1e300]

    /// A lead whose every optional is present with probability `presence` (a coin flip each by default).
    static func generated(seed: UInt64, presence: Double = 0.5) -> Lead {
        var generator = SeededGenerator(seed: 0x1EAD_0000 + seed)
        func chance() -> Bool { presence >= 1 || (presence > 0 && Double.random(in: 0..<1, using: &generator) < presence) }
        func text() -> String {
            var result = ""
            for _ in 0..<Int.random(in: 0...4, using: &generator) {
                if Int.random(in: 0..<5, using: &generator) == 0 {
                    let value = UInt32.random(in: 0...0x10FFFF, using: &generator)
                    result.unicodeScalars.append(Unicode.Scalar(value) ?? "?")
                } else {
                    result += pieces.randomElement(using: &generator) ?? ""
                }
            }
            return result
        }
        func maybe() -> String? { chance() ? text() : nil }
        func key() -> String { Bool.random(using: &generator) ? keys.randomElement(using: &generator) ?? "" : text() }
        func map() -> [String: String] {
            var result: [String: String] = [:]
            for _ in 0..<Int.random(in: 0...12, using: &generator) { result[key()] = text() }
            return result
        }
        func int() -> Int {
            switch Int.random(in: 0..<4, using: &generator) {
            case 0: Int.random(in: -3...3, using: &generator)
            case 1: Int.random(in: 100...599, using: &generator)
            case 2: [Int.min, Int.max].randomElement(using: &generator) ?? 0
            default: Int.random(in: Int.min...Int.max, using: &generator)
            }
        }
        func double() -> Double {
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: return doubles.randomElement(using: &generator) ?? 0
            case 1: return Double.random(in: -1e7...1e7, using: &generator).rounded() / 100
            default:
                let value = Double(bitPattern: generator.next())
                return value.isFinite ? value : 1
            }
        }
        /// 1583 to 9999, before and after 1970, with fractions of a second (some a hair below the next second).
        func date() -> Date {
            let whole = Double(Int64.random(in: -12_200_000_000...253_402_300_000, using: &generator))
            switch Int.random(in: 0..<3, using: &generator) {
            case 0: return Date(timeIntervalSince1970: whole)
            case 1: return Date(timeIntervalSince1970: whole + Double.random(in: 0..<1, using: &generator))
            default: return Date(timeIntervalSinceReferenceDate: (whole - 978_307_200).nextDown)
            }
        }
        func maybeDate() -> Date? { chance() ? date() : nil }

        let contact = Contact(
            fullName: maybe(), firstName: maybe(), lastName: maybe(), email: maybe(), phone: maybe(), phoneExtension: maybe(),
            company: maybe(), jobTitle: maybe(), country: maybe(), city: maybe()
        )
        var attribution = Attribution(source: text(), sourceType: text())
        attribution.campaign = maybe()
        attribution.utmSource = maybe()
        attribution.utmMedium = maybe()
        attribution.utmCampaign = maybe()
        attribution.utmTerm = maybe()
        attribution.utmContent = maybe()
        attribution.gclid = maybe()
        attribution.fbclid = maybe()
        attribution.clickIDs = map()
        attribution.landingURL = maybe()
        attribution.referrer = maybe()
        attribution.form = maybe()
        let states: [FetchStatus.State] = [.waiting, .needsConfiguration, .gaveUp]
        return Lead(
            id: text(), status: LeadStatus.allCases.randomElement(using: &generator) ?? .lead, rejectReason: maybe(),
            contact: contact, attribution: attribution, fields: map(),
            consent: Consent(marketing: chance() ? Bool.random(using: &generator) : nil, at: maybeDate()),
            problems: (0..<Int.random(in: 0...3, using: &generator)).map { _ in NormalizationProblem(field: text(), reason: text()) },
            isTest: Bool.random(using: &generator), product: maybe(),
            qualification: chance() ? Qualification(
                criteria: text(), score: int(), decision: LeadStatus.allCases.randomElement(using: &generator) ?? .lead, rejectedBy: maybe(),
                reasons: (0..<Int.random(in: 0...5, using: &generator)).map { _ in
                    QualificationReason(rule: text(), passed: Bool.random(using: &generator), points: int(), value: maybe(), note: maybe())
                }
            ) : nil,
            owner: maybe(),
            opportunity: chance() ? Opportunity(
                stage: text(), amount: chance() ? double() : nil, currency: maybe(), probability: double(), expectedClose: maybe(),
                closedAt: maybeDate(), manual: Bool.random(using: &generator)
            ) : nil,
            touches: (0..<Int.random(in: 0...4, using: &generator)).map { _ in
                TouchSummary(id: text(), source: text(), externalID: maybe(), receivedAt: date())
            },
            createdAt: date(), updatedAt: date(),
            fetch: chance() ? FetchStatus(
                state: states.randomElement(using: &generator) ?? .waiting, attempts: int(), nextAttemptAt: maybeDate(),
                lastStatus: chance() ? int() : nil, lastError: maybe()
            ) : nil,
            deletedAtSource: maybeDate()
        )
    }
}
