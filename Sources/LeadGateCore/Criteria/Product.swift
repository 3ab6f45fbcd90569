import Foundation

/// A product's default deal: its size, where a lead may state its own, currency and sales cycle.
public struct Deal: Sendable {
    /// The amount of an opportunity whose lead states none.
    public let amount: Double?
    /// A field whose value, when it reads as a number, is the opportunity's amount (e.g. `fields.budget`).
    public let amountField: CriteriaField?
    /// ISO 4217 code, upper-case.
    public let currency: String?
    /// Days from intake to the expected close.
    public let cycleDays: Int?

    /// A deal with nothing set.
    public static let unspecified = Deal(checked: nil, nil, nil, nil)

    private init(checked amount: Double?, _ amountField: CriteriaField?, _ currency: String?, _ cycleDays: Int?) {
        self.amount = amount
        self.amountField = amountField
        self.currency = currency
        self.cycleDays = cycleDays
    }

    /// A deal; throws, naming each bad key, for a negative amount or cycle, an amount field that is
    /// not a text field, or a currency that is not three letters.
    public init(amount: Double? = nil, amountField: String? = nil, currency: String? = nil, cycleDays: Int? = nil) throws(CriteriaError) {
        var problems: [CriteriaProblem] = []
        if let amount, !(amount >= 0 && amount.isFinite) {
            problems.append(CriteriaProblem("amount must be 0 or more", key: "amount"))
        }
        var field: CriteriaField?
        if let amountField {
            field = CriteriaField(name: amountField)
            if field == nil || field?.kind != .text {
                problems.append(CriteriaProblem(
                    "amount_field must name a text field such as fields.budget, found '\(amountField)'", key: "amount_field"
                ))
            }
        }
        if let currency, currency.count != 3 || !currency.allSatisfy({ $0.isASCII && $0.isLetter }) {
            problems.append(CriteriaProblem("currency must be an ISO 4217 code such as ILS or USD, found '\(currency)'", key: "currency"))
        }
        if let cycleDays, cycleDays < 0 {
            problems.append(CriteriaProblem("cycle_days must be 0 or more", key: "cycle_days"))
        }
        guard problems.isEmpty else { throw CriteriaError(problems) }
        self.init(checked: amount, field, currency?.uppercased(), cycleDays)
    }

    /// The amount for a lead: its `amountField` when that reads as a number of 0 or more, else `amount`.
    public func amount(for input: CriteriaInput) -> Double? {
        var scratch = input.scratch()
        return amount(for: input.lead, &scratch)
    }

    func amount(for lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Double? {
        if let amountField, case .text(let text) = amountField.value(in: lead, &scratch), let stated = LeadNumber.parse(text), stated >= 0 {
            return stated
        }
        return amount
    }
}

/// An opportunity's sales stages in order, each with its win probability; `won` (1) and `lost` (0) close every table.
public struct StageTable: Sendable, Hashable {
    /// One stage and the probability that an opportunity in it is won.
    public struct Stage: Sendable, Hashable {
        public let name: String
        public let probability: Double

        /// A stage called `name` whose opportunities are won with `probability` (0...1).
        public init(_ name: String, _ probability: Double) {
            self.name = name
            self.probability = probability
        }
    }

    public static let won = "won"
    public static let lost = "lost"

    /// new 0.1, contacted 0.2, proposal 0.5, negotiation 0.8: for products that configure no stages.
    public static let standard = StageTable(checked: [
        Stage("new", 0.1), Stage("contacted", 0.2), Stage("proposal", 0.5), Stage("negotiation", 0.8),
    ])

    /// The open stages in order, then `won` and `lost`.
    public let stages: [Stage]

    private init(checked open: [Stage]) {
        stages = open + [Stage(Self.won, 1), Stage(Self.lost, 0)]
    }

    /// A table of open stages; throws, with the index of each bad stage, for a probability outside
    /// 0...1, a repeated or empty name, or `won`/`lost` given (they are implicit).
    public init(open: [Stage]) throws(CriteriaError) {
        var problems: [CriteriaProblem] = []
        if open.isEmpty { problems.append(CriteriaProblem("stages need at least one open stage")) }
        var seen: Set<String> = []
        for (index, stage) in open.enumerated() {
            if stage.name == Self.won || stage.name == Self.lost {
                problems.append(CriteriaProblem("'\(stage.name)' is implicit (won is 1, lost is 0): leave it out", index: index))
            } else if stage.name.isEmpty || !seen.insert(stage.name).inserted {
                problems.append(CriteriaProblem("stage names must be unique and not empty", index: index))
            }
            if !(0...1).contains(stage.probability) {
                problems.append(CriteriaProblem("a probability is between 0 and 1, found \(stage.probability)", index: index))
            }
        }
        guard problems.isEmpty else { throw CriteriaError(problems) }
        self.init(checked: open)
    }

    /// The stage a new opportunity starts in.
    public var initial: String { stages[0].name }

    /// The win probability of `stage`, or nil when the table has no such stage.
    public func probability(of stage: String) -> Double? {
        stages.first { $0.name == stage }?.probability
    }
}

/// A line of business: which leads it takes, how it qualifies them, what a deal is worth, who gets it.
///
/// A class: every intake routes to one. As a struct of the config's shared parts, each product `route` handed out took
/// about a dozen atomic retains and as many releases of objects that every request's thread shares (`intake.sh`).
public final class Product: Sendable {
    public let name: String
    /// Which leads belong to this product; nil for a product reached only as the catalog's default.
    public let match: Condition?
    public let deal: Deal
    public let stages: StageTable
    public let criteria: Criteria
    public let assignment: AssignmentPolicy?

    /// A product; throws when the name is empty or the criteria were made for another product.
    public init(
        name: String, match: Condition? = nil, deal: Deal = .unspecified, stages: StageTable = .standard,
        criteria: Criteria, assignment: AssignmentPolicy? = nil
    ) throws(CriteriaError) {
        guard !name.isEmpty else { throw CriteriaError("a product needs a name", key: "name") }
        guard criteria.product == name else {
            throw CriteriaError("criteria for '\(criteria.product)' given to product '\(name)'", key: "criteria")
        }
        self.name = name
        self.match = match
        self.deal = deal
        self.stages = stages
        self.criteria = criteria
        self.assignment = assignment
    }
}

/// Every product, how leads are routed to them, and the free-mail list `email_free` uses.
public struct ProductCatalog: Sendable {
    public let products: [Product]
    /// Takes the leads no product's `match` claims.
    public let defaultProduct: Product?
    public let freeEmailDomains: FreeEmailDomains

    /// A catalog; throws when two products share a name, `defaultProduct` names none of them, or a
    /// product has no `match` and is not the default (no lead could reach it).
    ///
    /// With a single product and no `defaultProduct`, that product is the default. Problems point at
    /// `default_product`, or at the product's index (with key `name` for a repeated name).
    public init(products: [Product], defaultProduct: String? = nil, freeEmailDomains: FreeEmailDomains = .shipped) throws(CriteriaError) {
        var problems: [CriteriaProblem] = []
        var seen: Set<String> = []
        for (index, product) in products.enumerated() where !seen.insert(product.name).inserted {
            problems.append(CriteriaProblem("two products are named '\(product.name)'", key: "name", index: index))
        }
        var fallback: Product?
        if let defaultProduct {
            fallback = products.first { $0.name == defaultProduct }
            if fallback == nil {
                let names = products.map(\.name).joined(separator: ", ")
                problems.append(CriteriaProblem("default_product '\(defaultProduct)' is not a product (products: \(names))", key: "default_product"))
            }
        } else if products.count == 1 {
            fallback = products[0]
        }
        // When default_product itself is wrong, that one error says enough.
        if defaultProduct == nil || fallback != nil {
            for (index, product) in products.enumerated() where product.match == nil && product.name != fallback?.name {
                problems.append(CriteriaProblem(
                    "product '\(product.name)' has no match and is not the default_product, so no lead can reach it", index: index
                ))
            }
        }
        guard problems.isEmpty else { throw CriteriaError(problems) }
        self.products = products
        self.defaultProduct = fallback
        self.freeEmailDomains = freeEmailDomains
    }

    /// The criteria input for a normalized lead, with this catalog's free-mail list.
    public func input(for lead: NormalizedLead, receivedAt: Date, timeZone: TimeZone) -> CriteriaInput {
        CriteriaInput(lead, receivedAt: receivedAt, timeZone: timeZone, freeEmailDomains: freeEmailDomains)
    }

    /// The first product, in config order, whose `match` holds; else the default product; else nil.
    public func route(_ input: CriteriaInput) -> Product? {
        var scratch = input.scratch()
        return route(input.lead, &scratch)
    }

    func route(_ lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Product? {
        for product in products where product.match?.holds(for: lead, &scratch) == true { return product }
        return defaultProduct
    }

    /// The product called `name`.
    public func product(named name: String) -> Product? {
        products.first { $0.name == name }
    }
}
