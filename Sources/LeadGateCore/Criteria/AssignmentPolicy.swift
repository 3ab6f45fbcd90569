/// Who gets a product's opportunities: round robin, weighted round robin, or rules in order.
///
/// The chooser is pure: the caller passes a counter that the store increases atomically per product,
/// so turns stay fair across restarts and concurrent intakes. Weighted turns are a smooth weighted
/// round robin laid out from the counter, not random: owners with weights 3 and 1 get `a a b a`,
/// repeated. Unavailable owners get no turn and are skipped by rules; the fallback, unless it is
/// unavailable too, takes what nobody else can.
public struct AssignmentPolicy: Sendable {
    /// How owners are picked, by the name config uses.
    public enum Strategy: String, Sendable, CaseIterable {
        case roundRobin = "round_robin", weighted, rules
    }

    /// An owner and how many turns in a cycle they get.
    public struct Share: Sendable, Hashable {
        public let owner: String
        public let weight: Int

        /// `owner` with `weight` turns per cycle.
        public init(_ owner: String, weight: Int = 1) {
            self.owner = owner
            self.weight = weight
        }
    }

    /// One rule of the `rules` strategy: the owner of the leads the condition holds for.
    public struct OwnerRule: Sendable {
        public let condition: Condition
        public let owner: String

        /// A rule giving the leads `condition` holds for to `owner`.
        public init(when condition: Condition, owner: String) {
            self.condition = condition
            self.owner = owner
        }
    }

    /// The largest weight one owner may have.
    public static let maximumWeight = 1000

    public let strategy: Strategy
    public let unavailable: Set<String>
    public let fallback: String?
    /// One full cycle of turns over the available owners (round robin and weighted).
    private let turns: [String]
    private let rules: [OwnerRule]

    private init(_ strategy: Strategy, turns: [String], rules: [OwnerRule], unavailable: Set<String>, fallback: String?) {
        self.strategy = strategy
        self.turns = turns
        self.rules = rules
        self.unavailable = unavailable
        self.fallback = fallback
    }

    /// Each available owner in turn.
    ///
    /// Throws for an empty or repeated owner (key `owners`, with its index) and for an unavailable
    /// name that is not an owner (key `unavailable`).
    public static func roundRobin(_ owners: [String], unavailable: [String] = [], fallback: String? = nil) throws(CriteriaError) -> AssignmentPolicy {
        try weighted(owners.map { Share($0) }, unavailable: unavailable, fallback: fallback, strategy: .roundRobin)
    }

    /// Each available owner in proportion to their weight, interleaved (smooth weighted round robin).
    ///
    /// Throws as `roundRobin` does, and for a weight outside 1...`maximumWeight`.
    public static func weighted(_ shares: [Share], unavailable: [String] = [], fallback: String? = nil) throws(CriteriaError) -> AssignmentPolicy {
        try weighted(shares, unavailable: unavailable, fallback: fallback, strategy: .weighted)
    }

    private static func weighted(_ shares: [Share], unavailable: [String], fallback: String?, strategy: Strategy) throws(CriteriaError) -> AssignmentPolicy {
        var problems: [CriteriaProblem] = []
        if shares.isEmpty { problems.append(CriteriaProblem("\(strategy.rawValue) needs at least one owner", key: "owners")) }
        var seen: Set<String> = []
        for (index, share) in shares.enumerated() {
            if share.owner.isEmpty || !seen.insert(share.owner).inserted {
                problems.append(CriteriaProblem("owner names must be unique and not empty", key: "owners", index: index))
            }
            if !(1...maximumWeight).contains(share.weight) {
                problems.append(CriteriaProblem("a weight is a whole number from 1 to \(maximumWeight), found \(share.weight)", key: "owners", index: index))
            }
        }
        let away = try checkedUnavailable(unavailable, owners: seen.union(fallback.map { [$0] } ?? []), problems: problems)
        let turns = smoothWeightedCycle(shares.filter { !away.contains($0.owner) })
        return AssignmentPolicy(strategy, turns: turns, rules: [], unavailable: away, fallback: fallback)
    }

    /// The owner of the first rule, in order, whose condition holds and whose owner is available.
    ///
    /// Throws for no rules (key `rules`) and for an unavailable name that no rule or fallback names.
    public static func rules(_ rules: [OwnerRule], unavailable: [String] = [], fallback: String? = nil) throws(CriteriaError) -> AssignmentPolicy {
        var problems: [CriteriaProblem] = []
        if rules.isEmpty { problems.append(CriteriaProblem("the rules strategy needs at least one rule", key: "rules")) }
        for (index, rule) in rules.enumerated() where rule.owner.isEmpty {
            problems.append(CriteriaProblem("a rule needs an owner", key: "rules", index: index))
        }
        let owners = Set(rules.map(\.owner) + (fallback.map { [$0] } ?? []))
        let away = try checkedUnavailable(unavailable, owners: owners, problems: problems)
        return AssignmentPolicy(.rules, turns: [], rules: rules, unavailable: away, fallback: fallback)
    }

    /// The unavailable set, or every problem so far plus any unavailable name that is not an owner.
    private static func checkedUnavailable(_ names: [String], owners: Set<String>, problems: [CriteriaProblem]) throws(CriteriaError) -> Set<String> {
        var problems = problems
        for (index, name) in names.enumerated() where !owners.contains(name) {
            problems.append(CriteriaProblem("unavailable names '\(name)', who is not an owner here", key: "unavailable", index: index))
        }
        guard problems.isEmpty else { throw CriteriaError(problems) }
        return Set(names)
    }

    /// One cycle of smooth weighted round robin (as nginx balances upstreams): each step every owner
    /// gains its weight, the richest (first on ties) takes the turn and pays the total. Weights are
    /// divided by their common divisor first, so 2:2 cycles like 1:1.
    private static func smoothWeightedCycle(_ shares: [Share]) -> [String] {
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
        let divisor = shares.map(\.weight).reduce(0, gcd)
        guard divisor > 0 else { return [] }
        let weights = shares.map { $0.weight / divisor }
        let total = weights.reduce(0, +)
        var current = [Int](repeating: 0, count: weights.count)
        var turns: [String] = []
        turns.reserveCapacity(total)
        for _ in 0..<total {
            var richest = 0
            for index in weights.indices {
                current[index] += weights[index]
                if current[index] > current[richest] { richest = index }
            }
            current[richest] -= total
            turns.append(shares[richest].owner)
        }
        return turns
    }

    /// The owner for a lead; `counter` is this product's assignment count so far. Nil when nobody is available.
    public func owner(for input: CriteriaInput, counter: UInt64) -> String? {
        assignment(for: input).owner(counter: counter)
    }

    /// What can be decided about the owner of a lead before its commit: the owner itself under `rules`, or the
    /// cycle of turns the product's counter picks from.
    public func assignment(for input: CriteriaInput) -> Assignment {
        var scratch = input.scratch()
        return assignment(for: input.lead, &scratch)
    }

    func assignment(for lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Assignment {
        if !turns.isEmpty { return .turns(turns) }
        for rule in rules where !unavailable.contains(rule.owner) && rule.condition.holds(for: lead, &scratch) {
            return .owner(rule.owner)
        }
        return .owner(fallback.flatMap { unavailable.contains($0) ? nil : $0 })
    }
}

/// The owner of a new opportunity as the qualify stage leaves it for the commit: chosen already (by rules; nil
/// when nobody is available), or one of a cycle of turns, which only the writer can pick (it alone advances the
/// product's counter).
public enum Assignment: Sendable, Hashable {
    case owner(String?)
    case turns([String])

    /// Whether the writer must draw the product's counter.
    public var byTurns: Bool {
        if case .turns = self { return true }
        return false
    }

    /// The owner; `counter` is the product's assignment count so far (unused when the owner is chosen already).
    public func owner(counter: UInt64) -> String? {
        switch self {
        case .owner(let owner): owner
        case .turns(let turns): turns.isEmpty ? nil : turns[Int(counter % UInt64(turns.count))]
        }
    }
}
