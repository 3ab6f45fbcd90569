import Foundation
import Testing
import LeadGateCore

@Suite("Products, routing, deals and stages")
struct CriteriaModelTests {
    static func criteria(_ product: String) throws -> Criteria {
        try Criteria(product: product, version: 1, threshold: 0, rules: [
            Rule(name: "phone", when: CriteriaFixture.test("phone", .present, .bare("true")), points: 10),
        ])
    }

    static func product(_ name: String, match: Condition? = nil) throws -> Product {
        try Product(name: name, match: match, criteria: criteria(name))
    }

    /// crm (website or facebook, or fields.product=crm), erp (fields.product=erp), general (the default).
    static func catalog() throws -> ProductCatalog {
        try ProductCatalog(products: [
            product("crm", match: .any([
                CriteriaFixture.test("source", .in, CriteriaFixture.bare("website", "facebook-il")),
                CriteriaFixture.test("fields.product", .equals, .bare("crm")),
            ])),
            product("erp", match: CriteriaFixture.test("fields.product", .equals, .bare("ERP"))),
            product("general"),
        ], defaultProduct: "general")
    }

    @Test("each lead goes to the first product that matches, else the default", arguments: [
        ("website", "crm", "crm"),
        ("facebook-il", nil, "crm"),
        ("google-ads", "crm", "crm"),
        ("google-ads", "erp", "erp"),
        ("website", "erp", "crm"),          // both match: the first in config order wins
        ("google-ads", nil, "general"),
        ("sales-inbox", "something else", "general"),
    ] as [(String, String?, String)])
    func routing(source: String, product: String?, expected: String) throws {
        let input = CriteriaFixture.input {
            $0.attribution.source = source
            $0.fields["product"] = product
        }
        #expect(try Self.catalog().route(input)?.name == expected)
    }

    @Test("a single product is the default; several without one leave unmatched leads unrouted")
    func defaults() throws {
        let single = try ProductCatalog(products: [Self.product("only")])
        #expect(single.defaultProduct?.name == "only")
        #expect(single.route(CriteriaFixture.input())?.name == "only")
        let none = try ProductCatalog(products: [
            Self.product("a", match: CriteriaFixture.test("source", .equals, .bare("x"))),
            Self.product("b", match: CriteriaFixture.test("source", .equals, .bare("y"))),
        ])
        #expect(none.defaultProduct == nil)
        #expect(none.route(CriteriaFixture.input()) == nil)
        #expect(none.product(named: "b")?.name == "b")
        #expect(try ProductCatalog(products: []).route(CriteriaFixture.input()) == nil)
    }

    @Test("catalog problems: a repeated name, an unknown default, an unreachable product")
    func catalogProblems() throws {
        let matched = try Self.product("a", match: CriteriaFixture.test("source", .equals, .bare("x")))
        #expect(throws: CriteriaError("two products are named 'a'", key: "name", index: 1)) {
            try ProductCatalog(products: [matched, matched])
        }
        #expect(throws: CriteriaError("default_product 'z' is not a product (products: a)", key: "default_product")) {
            try ProductCatalog(products: [matched], defaultProduct: "z")
        }
        #expect(throws: CriteriaError(
            "product 'b' has no match and is not the default_product, so no lead can reach it", index: 1
        )) {
            try ProductCatalog(products: [matched, Self.product("b"), Self.product("c")], defaultProduct: "c")
        }
        #expect(throws: CriteriaError("criteria for 'other' given to product 'a'", key: "criteria")) {
            try Product(name: "a", criteria: Self.criteria("other"))
        }
    }

    @Test("the catalog makes inputs with its own free-mail list")
    func catalogInput() throws {
        let lead = NormalizedLead(
            contact: Contact(email: "x@corp.example"), attribution: Attribution(source: "website", sourceType: "web_form"),
            fields: ["budget": "1"], phoneLineType: .voip, phoneRegion: "US"
        )
        let catalog = try ProductCatalog(
            products: [Self.product("only")], freeEmailDomains: FreeEmailDomains.shipped.adding(["corp.example"])
        )
        let input = catalog.input(for: lead, receivedAt: CriteriaFixture.received, timeZone: .gmt)
        #expect(try CriteriaFixture.test("email_free", .equals, .bare("true")).holds(for: input))
        #expect(try CriteriaFixture.test("phone_type", .equals, .bare("voip")).holds(for: input))
        #expect(try CriteriaFixture.test("phone_country", .equals, .bare("US")).holds(for: input))
        #expect(try CriteriaFixture.test("fields.budget", .equals, .bare("1")).holds(for: input))
    }

    @Test("a deal's amount comes from its field when that is a number", arguments: [
        ("₪30,000", 30_000.0),
        ("$20k", 20_000),
        ("lots", 15_000),
        ("-5", 15_000),
        (nil, 15_000),
    ] as [(String?, Double)])
    func dealAmount(budget: String?, expected: Double) throws {
        let deal = try Deal(amount: 15_000, amountField: "fields.budget", currency: "ils", cycleDays: 45)
        #expect(deal.amount(for: CriteriaFixture.input { $0.fields["budget"] = budget }) == expected)
        #expect(deal.currency == "ILS")
        #expect(deal.cycleDays == 45)
    }

    @Test("deal problems name their key", arguments: [
        (nil, "fields.", nil, nil, "amount_field"),
        (nil, "email_free", nil, nil, "amount_field"),
        (nil, "hour", nil, nil, "amount_field"),
        (-5.0, nil, nil, nil, "amount"),
        (Double.nan, nil, nil, nil, "amount"),
        (nil, nil, "shekel", nil, "currency"),
        (nil, nil, "₪", nil, "currency"),
        (nil, nil, nil, -1, "cycle_days"),
    ] as [(Double?, String?, String?, Int?, String)])
    func dealProblems(amount: Double?, field: String?, currency: String?, cycleDays: Int?, key: String) {
        #expect {
            try Deal(amount: amount, amountField: field, currency: currency, cycleDays: cycleDays)
        } throws: { error in
            (error as? CriteriaError)?.problems.map(\.key) == [key]
        }
    }

    @Test("stages: configured order, then won at 1 and lost at 0")
    func stages() throws {
        let table = try StageTable(open: [.init("new", 0.1), .init("demo", 0.4), .init("contract", 0.9)])
        #expect(table.stages.map(\.name) == ["new", "demo", "contract", "won", "lost"])
        #expect(table.initial == "new")
        #expect(table.probability(of: "demo") == 0.4)
        #expect(table.probability(of: "won") == 1)
        #expect(table.probability(of: "lost") == 0)
        #expect(table.probability(of: "proposal") == nil)
        #expect(StageTable.standard.stages.map(\.name) == ["new", "contacted", "proposal", "negotiation", "won", "lost"])
        #expect(StageTable.standard.probability(of: "negotiation") == 0.8)
    }

    @Test("stage problems point at the stage")
    func stageProblems() {
        #expect(throws: CriteriaError([
            CriteriaProblem("'won' is implicit (won is 1, lost is 0): leave it out", index: 1),
            CriteriaProblem("a probability is between 0 and 1, found 1.5", index: 2),
            CriteriaProblem("stage names must be unique and not empty", index: 3),
        ])) {
            try StageTable(open: [.init("new", 0.1), .init("won", 1), .init("demo", 1.5), .init("new", 0.2)])
        }
        #expect(throws: CriteriaError("stages need at least one open stage")) { try StageTable(open: []) }
    }

    @Test("free-mail domains: the shipped list", arguments: [
        ("gmail.com", true), ("walla.co.il", true), ("walla.com", true), ("yahoo.com", true), ("yahoo.co.il", true),
        ("hotmail.co.uk", true), ("outlook.com", true), ("012.net.il", true), ("netvision.net.il", true),
        ("bezeqint.net", true), ("mail.ru", true), ("yandex.ru", true), ("acme.co.il", false), ("notyahoo.com", false),
        ("yahoo", false), ("gmail.co", false),
    ])
    func shippedFreeMail(domain: String, expected: Bool) {
        #expect(FreeEmailDomains.shipped.contains(domain: domain) == expected)
    }

    @Test("free-mail domains: config adds domains and patterns, and malformed ones are refused")
    func addedFreeMail() throws {
        let added = try FreeEmailDomains.shipped.adding(["Example.ORG", "corp.*"])
        #expect(added.contains(domain: "example.org"))
        #expect(added.contains(domain: "corp.co.il"))
        #expect(added.contains(domain: "gmail.com"))
        #expect(!FreeEmailDomains.shipped.contains(domain: "example.org"))
        #expect {
            try FreeEmailDomains.shipped.adding(["ok.com", "@gmail.com", "gmail", "*", "a..b", "x.*.com"])
        } throws: { error in
            (error as? CriteriaError)?.problems.map(\.index) == [1, 2, 3, 4, 5]
        }
    }

    /// Two products whose match, rules, amount and owner rules all read the budget, the email's domain and the hour.
    static func budgetCatalog() throws -> ProductCatalog {
        let big = try CriteriaFixture.test("fields.budget", .gte, .bare("10000"))
        let criteria = try Criteria(product: "enterprise", version: 1, threshold: 30, rules: [
            Rule(name: "budget", when: CriteriaFixture.test("fields.budget", .gte, .bare("50000")), points: 20),
            Rule(name: "small", when: .all([
                CriteriaFixture.test("fields.budget", .gte, .bare("10000")), CriteriaFixture.test("fields.budget", .lt, .bare("20000")),
            ]), points: -10),
            Rule(name: "business", when: CriteriaFixture.test("email_free", .equals, .bare("false")), points: 20),
            Rule(name: "office-hours", when: CriteriaFixture.test("hour", .lt, .bare("17")), points: 5),
            Rule(name: "both", when: .any([CriteriaFixture.test("email_domain", .equals, .bare("acme.co.il")), big]), points: 1),
        ])
        let enterprise = try Product(
            name: "enterprise", match: big, deal: Deal(amount: 1000, amountField: "fields.budget", currency: "ILS", cycleDays: 30),
            criteria: criteria,
            assignment: .rules([
                AssignmentPolicy.OwnerRule(when: CriteriaFixture.test("fields.budget", .gte, .bare("100000")), owner: "vp"),
                AssignmentPolicy.OwnerRule(when: CriteriaFixture.test("email_domain", .equals, .bare("acme.co.il")), owner: "acme-rep"),
            ], fallback: "desk")
        )
        return try ProductCatalog(products: [enterprise, Self.product("general")], defaultProduct: "general")
    }

    /// One qualify lends the lead to every step with one scratch (its cached domain, hour and numbers); the separate
    /// public steps each start afresh. Product, decision and owner as worked out by hand from `budgetCatalog`.
    @Test("qualifying routes, scores, prices and assigns a lead as the separate steps do", arguments: [
        ("₪250,000", "dana@acme.co.il", 10, "enterprise", LeadStatus.opportunity, "vp"),
        ("70000", "dana@acme.co.il", 10, "enterprise", .opportunity, "acme-rep"),
        ("70,000 ₪", "ceo@globex.com", 10, "enterprise", .opportunity, "desk"),
        ("60000", "dana@gmail.com", 18, "enterprise", .lead, nil),
        ("15,000", "ceo@globex.com", 9, "enterprise", .lead, nil),
        ("12000", nil, 20, "enterprise", .lead, nil),
        ("lots", "dana@acme.co.il", 12, "general", .opportunity, nil),
        (nil, "dana@acme.co.il", 12, "general", .opportunity, nil),
    ] as [(String?, String?, Int, String, LeadStatus, String?)])
    func qualifyAgreesWithTheSteps(budget: String?, email: String?, hour: Int, product name: String, status: LeadStatus, owner: String?) throws {
        let catalog = try Self.budgetCatalog()
        let received = CriteriaFixture.received.addingTimeInterval(Double(hour - 12) * 3600)
        let input = CriteriaFixture.input {
            $0.fields["budget"] = budget
            $0.contact.email = email
            $0.receivedAt = received
        }
        let decision = CatalogQualifier(catalog: catalog, timeZone: CriteriaFixture.jerusalem).qualify(input.lead, receivedAt: received)
        let product = try #require(catalog.route(input))
        let qualification = product.criteria.evaluate(input)
        #expect(decision.product == product.name)
        #expect(decision.qualification == qualification)
        #expect(decision.status == qualification.decision)
        let opens = qualification.decision == .opportunity
        #expect(decision.opportunity == (opens ? product.opening(for: input, at: received, timeZone: CriteriaFixture.jerusalem) : nil))
        #expect(decision.assignment == (opens ? product.assignment?.assignment(for: input) : nil))
        #expect(decision.product == name)
        #expect(decision.status == status)
        #expect(decision.assignment?.owner(counter: 0) == owner)
        if name == "enterprise", opens { #expect(decision.opportunity?.amount == LeadNumber.parse(budget ?? "")) }
    }
}
