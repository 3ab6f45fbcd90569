import Foundation
import Testing
import LeadGateCore
import LeadGateServer
import LeadGateSourceKit

/// Reads YAML flow style (`{key: value, list: [a, "b"]}`) into a `ConfigValue` with real line and
/// column marks, so these tests need no YAML library. A scalar ends at `,`, `]`, `}`, a line end, or
/// (in a mapping key) `:`; `~` is null.
private struct FlowConfig {
    private let characters: [Character]
    private var position = 0
    private var line = 1
    private var column = 1
    private let file = "leadgate.yaml"

    static func parse(_ text: String) throws -> ConfigValue {
        var parser = FlowConfig(characters: Array(text))
        let value = try parser.value()
        parser.skipSpace()
        guard parser.position == parser.characters.count else { throw parser.failure("trailing text") }
        return value
    }

    private init(characters: [Character]) {
        self.characters = characters
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    private func failure(_ message: String) -> Failure {
        Failure(description: "\(line):\(column): \(message)")
    }

    private var mark: ConfigMark { ConfigMark(file: file, line: line, column: column) }
    private var current: Character? { position < characters.count ? characters[position] : nil }

    private mutating func advance() {
        if characters[position] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        position += 1
    }

    private mutating func skipSpace() {
        while let character = current, character.isWhitespace { advance() }
    }

    private mutating func expect(_ character: Character) throws {
        skipSpace()
        guard current == character else { throw failure("expected '\(character)'") }
        advance()
    }

    private mutating func value() throws -> ConfigValue {
        skipSpace()
        let start = mark
        switch current {
        case "{":
            advance()
            var entries: [ConfigEntry] = []
            skipSpace()
            while current != "}" {
                skipSpace()
                let keyMark = mark
                guard case .scalar(let key, _, _) = try scalar(stops: [":"]) else { throw failure("expected a key") }
                try expect(":")
                skipSpace()
                let item = current == "," || current == "}" ? .null(mark) : try value()
                entries.append(ConfigEntry(key: key, keyMark: keyMark, value: item))
                skipSpace()
                if current == "," { advance() } else if current != "}" { throw failure("expected ',' or '}'") }
                skipSpace()
            }
            advance()
            return .mapping(entries, start)
        case "[":
            advance()
            var items: [ConfigValue] = []
            skipSpace()
            while current != "]" {
                items.append(try value())
                skipSpace()
                if current == "," { advance() } else if current != "]" { throw failure("expected ',' or ']'") }
                skipSpace()
            }
            advance()
            return .sequence(items, start)
        case nil:
            throw failure("unexpected end")
        default:
            return try scalar(stops: [])
        }
    }

    private mutating func scalar(stops: Set<Character>) throws -> ConfigValue {
        let start = mark
        if current == "\"" {
            advance()
            var text = ""
            while let character = current, character != "\"" {
                if character == "\\" {
                    advance()
                    guard let escaped = current else { break }
                    text.append(escaped)
                } else {
                    text.append(character)
                }
                advance()
            }
            try expect("\"")
            return .scalar(text, start, quoted: true)
        }
        var text = ""
        while let character = current, !",]}\n".contains(character), !stops.contains(character) {
            text.append(character)
            advance()
        }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        return trimmed == "~" ? .null(start) : .scalar(trimmed, start, quoted: false)
    }
}

@Suite("Product config")
struct ProductConfigTests {
    static let valid = """
    { default_product: general,
      free_email_domains: [corp-mail.example, "mymail.*"],
      products: [
        { name: crm-suite,
          match: { any: [ { field: source, in: [website, facebook-il] }, { field: fields.product, equals: crm } ] },
          deal: { amount: 15000, amount_field: fields.budget, currency: ILS, cycle_days: 45 },
          stages: { new: 0.1, contacted: 0.2, proposal: 0.5, negotiation: 0.8 },
          criteria: { version: 3, threshold: 50, rules: [
            { name: spam-domain, when: { field: email_domain, in: [mailinator.com] }, reject: true },
            { name: reachable, when: { any: [ { field: phone, present: true }, { field: email, present: true } ] }, require: true },
            { name: business-email, when: { field: email_free, equals: false }, points: 30 },
            { name: has-phone, when: { field: phone, present: true }, points: 20 },
            { name: budget, when: { field: fields.budget, gte: 10000 }, points: 30 },
            { name: weekday, when: { not: { field: weekday, in: [friday, saturday] } }, points: 0 },
            { name: name, when: { field: full_name, matches: "^דנה", case_sensitive: true } } ] },
          assign: { strategy: round_robin, owners: [dana@acme.co.il, avi@acme.co.il], fallback: desk@acme.co.il } },
        { name: erp,
          match: { field: fields.product, equals: erp },
          criteria: { version: 1, threshold: 10, rules: [ { name: phone, when: { field: phone, present: true }, points: 10 } ] },
          assign: { strategy: weighted, owners: [ { name: noa, weight: 3 }, yael ], unavailable: [yael] } },
        { name: general,
          criteria: { version: 1, threshold: 0, rules: [ { name: any, when: { field: email, present: true } } ] },
          assign: { strategy: rules, rules: [ { when: { field: country, not_in: [IL] }, owner: intl } ], fallback: desk } } ] }
    """

    private func read(_ text: String) throws -> (ProductCatalog?, [ConfigError]) {
        let diagnostics = ConfigDiagnostics()
        let root = ConfigSection(try FlowConfig.parse(text), path: "config", diagnostics: diagnostics)
        let catalog = ProductConfig.read(from: root)
        root.finish()
        return (catalog, diagnostics.sorted)
    }

    @Test("the design's products block reads into a working catalog")
    func valid() throws {
        let (catalog, errors) = try read(Self.valid)
        #expect(errors.map(\.description) == [])
        let products = try #require(catalog)
        #expect(products.products.map(\.name) == ["crm-suite", "erp", "general"])
        #expect(products.defaultProduct?.name == "general")
        let crm = try #require(products.product(named: "crm-suite"))
        #expect(crm.criteria.id == "crm-suite@3")
        #expect(crm.criteria.rules.count == 7)
        #expect(crm.deal.currency == "ILS")
        #expect(crm.deal.amountField == .custom("budget"))
        #expect(crm.stages.probability(of: "proposal") == 0.5)
        #expect(crm.assignment?.strategy == .roundRobin)

        var contact = Contact(fullName: "דנה כהן", email: "dana@acme.co.il", phone: "+972541234567", country: "IL")
        var attribution = Attribution(source: "website", sourceType: "web_form")
        let lead = NormalizedLead(contact: contact, attribution: attribution, fields: ["budget": "20,000 ₪"])
        // Monday 2026-11-30 10:00 UTC.
        let input = products.input(for: lead, receivedAt: Date(timeIntervalSince1970: 1_796_032_800), timeZone: .gmt)
        let product = try #require(products.route(input))
        #expect(product.name == "crm-suite")
        let qualification = product.criteria.evaluate(input)
        #expect(qualification.decision == .opportunity)
        #expect(qualification.score == 80)
        #expect(qualification.reasons.allSatisfy { $0.passed != ($0.rule == "spam-domain") })
        #expect(product.deal.amount(for: input) == 20_000)
        #expect(product.assignment?.owner(for: input, counter: 1) == "avi@acme.co.il")

        // The extended free-mail list reaches email_free.
        contact.email = "dana@mymail.co.uk"
        attribution.source = "sales-inbox"
        let other = products.input(for: NormalizedLead(contact: contact, attribution: attribution), receivedAt: .now, timeZone: .gmt)
        #expect(products.route(other)?.name == "general")
        #expect(crm.criteria.evaluate(other).reasons[2] == QualificationReason(rule: "business-email", passed: false, points: 0, value: "true"))
        #expect(products.product(named: "erp")?.assignment?.owner(for: other, counter: 5) == "noa")
        #expect(products.product(named: "general")?.assignment?.owner(for: other, counter: 0) == "desk")
    }

    @Test("no products is an empty catalog")
    func empty() throws {
        let (catalog, errors) = try read("{ server: {} }")
        #expect(errors.map(\.message) == ["unknown key 'server' in config (known keys: default_product, free_email_domains, products)"])
        #expect(catalog?.products.isEmpty == true)
    }

    /// A config with one mistake; the error must stand where `at` first occurs in it.
    struct ErrorCase: Sendable, CustomTestStringConvertible {
        var name: String
        var config: String
        var at: String
        /// Characters from the start of `at` to the mark, when `at` must take some context to be unique.
        var offset = 0
        var message: String
        /// How many errors the mistake causes: a misspelt key is also a missing one.
        var count = 1

        var testDescription: String { name }
    }

    /// A one-product config whose rules list is `rules`.
    static func product(rules: String, extra: String = "") -> String {
        """
        { products: [
            { name: p,\(extra)
              criteria: { version: 1, threshold: 10, rules: [
                \(rules) ] } } ] }
        """
    }

    @Test("every mistake is reported at its line and column", arguments: [
        ErrorCase(name: "unknown field", config: product(rules: "{ name: r, when: { field: budget, gt: 5 } }"),
                  at: "budget", message: "unknown field 'budget'"),
        ErrorCase(name: "misspelt key in a condition", config: product(rules: "{ name: r, when: { feild: email, present: true } }"),
                  at: "feild", message: "unknown key 'feild' in config.products[0].criteria.rules[0].when", count: 2),
        ErrorCase(name: "gt on email_free", config: product(rules: "{ name: r, when: { field: email_free, gt: 1 } }"),
                  at: "1 }", message: "gt compares numbers, and email_free is true or false"),
        ErrorCase(name: "gt with a non-number", config: product(rules: "{ name: r, when: { field: fields.budget, gt: lots } }"),
                  at: "lots", message: "gt takes a number, found 'lots'"),
        ErrorCase(name: "in without a list", config: product(rules: "{ name: r, when: { field: source, in: website } }"),
                  at: "website", message: "in takes a non-empty list such as [a, b]"),
        ErrorCase(name: "present not a bool", config: product(rules: "{ name: r, when: { field: email, present: maybe } }"),
                  at: "maybe", message: "present takes true or false"),
        ErrorCase(name: "two operators", config: product(rules: "{ name: r, when: { field: fields.budget, gt: 5, lt: 9 } }"),
                  at: "9 }", message: "one operator per condition, found gt and lt: combine two conditions with all"),
        ErrorCase(name: "no operator", config: product(rules: "{ name: r, when: { field: email } }"),
                  at: "{ field: email", message: "products[0].criteria.rules[0].when needs one operator"),
        ErrorCase(name: "operator without a value", config: product(rules: "{ name: r, when: { field: email, equals: } }"),
                  at: "} } ]", message: "equals needs a value"),
        ErrorCase(name: "regex that does not compile", config: product(rules: #"{ name: r, when: { field: email, matches: "([a-z" } }"#),
                  at: #""([a-z""#, message: "'([a-z' is not a valid regular expression"),
        ErrorCase(name: "bad element of a list", config: product(rules: "{ name: r, when: { field: weekday, in: [friday, fri] } }"),
                  at: "fri]", message: "'fri' is not a value of weekday"),
        ErrorCase(name: "weekday as a number", config: product(rules: "{ name: r, when: { field: weekday, equals: 5 } }"),
                  at: "5 }", message: "'5' is not a value of weekday"),
        ErrorCase(name: "case_sensitive on a comparison", config: product(rules: "{ name: r, when: { field: fields.a, gt: 1, case_sensitive: true } }"),
                  at: "true }", message: "case_sensitive applies only to"),
        ErrorCase(name: "two combinators", config: product(rules: "{ name: r, when: { all: [ { field: email, present: true } ], any: [] } }"),
                  at: "[] }", message: "a condition takes one of all, any and not"),
        ErrorCase(name: "empty all", config: product(rules: "{ name: r, when: { all: [] } }"),
                  at: "[] }", message: "all takes a non-empty list of conditions"),
        ErrorCase(name: "condition that is not a mapping", config: product(rules: "{ name: r, when: email }"),
                  at: "email }", message: "must be a condition"),
        ErrorCase(name: "nested error", config: product(rules: "{ name: r, when: { not: { any: [ { field: phone, present: true }, { field: fax, present: true } ] } } }"),
                  at: "fax", message: "unknown field 'fax'"),
        ErrorCase(name: "rule without when", config: product(rules: "{ name: r, points: 5 }"),
                  at: "{ name: r", message: "products[0].criteria.rules[0] is missing required key 'when'"),
        ErrorCase(name: "unknown key in a rule", config: product(rules: "{ name: r, when: { field: email, present: true }, score: 5 }"),
                  at: "score", message: "unknown key 'score'"),
        ErrorCase(name: "require and reject", config: product(rules: "{ name: r, when: { field: email, present: true }, require: true, reject: true }"),
                  at: "true } ]", message: "rule 'r' cannot be both require and reject"),
        ErrorCase(name: "two rules with one name", config: product(rules: "{ name: r, when: { field: email, present: true } }, { name: r2, when: { field: phone, present: true } }, { name: r, when: { field: city, present: true } }"),
                  at: "r, when: { field: city", message: "two rules are named 'r'"),
        ErrorCase(name: "no rules", config: product(rules: ""),
                  at: "rules: [", offset: 7, message: "criteria need at least one rule"),
        ErrorCase(name: "product with no criteria", config: "{ products: [ { name: p, match: { field: source, equals: x } } ] }",
                  at: "{ name: p", message: "products[0] is missing required key 'criteria'"),
        ErrorCase(name: "two products with one name",
                  config: "{ products: [ { name: p, match: { field: source, equals: x }, criteria: { version: 1, threshold: 0, rules: [ { name: r, when: { field: email, present: true } } ] } },\n { name: p,  match: { field: source, equals: y }, criteria: { version: 1, threshold: 0, rules: [ { name: r, when: { field: email, present: true } } ] } } ] }",
                  at: "p,  match", message: "two products are named 'p'"),
        ErrorCase(name: "default_product naming no product", config: "{ default_product: crm,\n" + String(product(rules: "{ name: r, when: { field: email, present: true } }").dropFirst()),
                  at: "crm", message: "default_product 'crm' is not a product (products: p)"),
        ErrorCase(name: "default_product naming a product that failed to read", config: "{ default_product: p,\n" + String(product(rules: "{ name: r, when: { field: budget, gt: 5 } }").dropFirst()),
                  at: "budget", message: "unknown field 'budget'"),
        ErrorCase(name: "version 0", config: "{ products: [ { name: p, criteria: { version: 0, threshold: 0, rules: [ { name: r, when: { field: email, present: true } } ] } } ] }",
                  at: "0, threshold", message: "version must be 1 or more, found 0"),
        ErrorCase(name: "free-mail entry that is no domain", config: "{ free_email_domains: [example.com, \"@gmail.com\"] }",
                  at: "\"@gmail", message: "'@gmail.com' is not a mail domain"),
        ErrorCase(name: "won among the stages", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " stages: { new: 0.1, won: 1 },"),
                  at: "1 }", message: "'won' is implicit"),
        ErrorCase(name: "probability above 1", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " stages: { new: 1.5 },"),
                  at: "1.5", message: "a probability is between 0 and 1, found 1.5"),
        ErrorCase(name: "bad currency", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " deal: { currency: shekel },"),
                  at: "shekel", message: "currency must be an ISO 4217 code"),
        ErrorCase(name: "bad amount field", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " deal: { amount_field: budget },"),
                  at: "budget }", message: "amount_field must name a text field"),
        ErrorCase(name: "unknown strategy", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " assign: { strategy: random, owners: [a] },"),
                  at: "random", message: "strategy must be one of round_robin, weighted, rules, found 'random'"),
        ErrorCase(name: "weight zero", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " assign: { strategy: weighted, owners: [a, { name: b, weight: 0 }] },"),
                  at: "{ name: b", message: "a weight is a whole number from 1 to 1000, found 0"),
        ErrorCase(name: "weights with round robin", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " assign: { strategy: round_robin, owners: [a, { name: b, weight: 2 }] },"),
                  at: "{ name: b", message: "must be a name (weights need strategy: weighted)"),
        ErrorCase(name: "unavailable names no owner", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " assign: { strategy: round_robin, owners: [a, b], unavailable: [b, zoe] },"),
                  at: "zoe", message: "unavailable names 'zoe', who is not an owner here"),
        ErrorCase(name: "rules with round robin", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " assign: { strategy: round_robin, owners: [a], rules: [] },"),
                  at: "[] }", message: "rules apply to strategy: rules"),
        ErrorCase(name: "assignment rule with a bad condition", config: product(rules: "{ name: r, when: { field: email, present: true } }", extra: " assign: { strategy: rules, rules: [ { when: { field: hour, gte: noon }, owner: a } ] },"),
                  at: "noon", message: "gte takes a number, found 'noon'"),
        ErrorCase(name: "product nobody can reach", config: "{ products: [ { name: a, criteria: { version: 1, threshold: 0, rules: [ { name: r, when: { field: email, present: true } } ] } },\n { name: b, match: { field: source, equals: y }, criteria: { version: 1, threshold: 0, rules: [ { name: r, when: { field: email, present: true } } ] } } ] }",
                  at: "{ name: a", message: "product 'a' has no match and is not the default_product"),
    ])
    func mistake(_ row: ErrorCase) throws {
        let (catalog, errors) = try read(row.config)
        #expect(catalog == nil)
        #expect(errors.count == row.count, "\(errors)")
        let error = try #require(errors.first { $0.message.contains(row.message) }, "\(errors)")
        let found = try #require(row.config.range(of: row.at)?.lowerBound, "the test's marker is not in its config")
        let offset = row.config.index(found, offsetBy: row.offset)
        let before = row.config[..<offset]
        let line = before.filter { $0 == "\n" }.count + 1
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0) + 1
        #expect(error.description.hasPrefix("leadgate.yaml:\(line):\(column): "), "\(error.description)")
    }

    @Test("every problem is reported at once, in file order")
    func allAtOnce() throws {
        let config = """
        { default_product: nowhere,
          products: [
            { name: a, match: { field: source, equals: x }, criteria: { version: 1, threshold: 0, rules: [
                { name: r1, when: { field: budget, gt: 5 } },
                { name: r2, when: { field: email_free, gt: 1 } } ] } },
            { name: b, match: { field: source, equals: y }, criteria: { version: 1, threshold: 0, rules: [
                { name: r, when: { field: email, present: true } } ] } } ] }
        """
        let (catalog, errors) = try read(config)
        #expect(catalog == nil)
        #expect(errors.map(\.mark.line) == [1, 4, 5])
        #expect(errors.map(\.message).map { String($0.prefix(22)) } == [
            "default_product 'nowhe", "unknown field 'budget'", "gt compares numbers, a",
        ])
    }
}
