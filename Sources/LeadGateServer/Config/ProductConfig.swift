import Foundation
import LeadGateCore
import LeadGateSourceKit

/// Reads the products of the config (`products`, `default_product`, `free_email_domains`) into a
/// `ProductCatalog`, reporting every problem at its line and column.
///
/// The meaning of criteria (fields, operators, what fits what) lives in LeadGateCore; this reader
/// only walks the config tree and points each problem the core finds at the key it names.
public enum ProductConfig {
    /// The catalog the root describes (empty when it has no `products`), or nil when anything was
    /// wrong, every problem then being in `root.diagnostics`. Marks the three keys read; the loader
    /// calls `finish()` on the root itself.
    public static func read(from root: ConfigSection) -> ProductCatalog? {
        let diagnostics = root.diagnostics
        let errorsBefore = diagnostics.errors.count
        let freeEmailDomains = readFreeEmailDomains(root)
        let defaultProduct = root.string("default_product")
        let sections = root.sections("products") ?? []
        var products: [Product] = []
        var sectionIndex: [Int] = []
        for (index, section) in sections.enumerated() {
            if let product = readProduct(section) {
                products.append(product)
                sectionIndex.append(index)
            }
        }
        do {
            let catalog = try ProductCatalog(products: products, defaultProduct: defaultProduct, freeEmailDomains: freeEmailDomains)
            return diagnostics.errors.count == errorsBefore ? catalog : nil
        } catch {
            // Products that failed to read are already reported; a default naming one of them is not a second error.
            let writtenNames = Set(sections.compactMap { $0.value("name").flatMap(scalarText) })
            for problem in error.problems {
                if problem.key == "default_product", let defaultProduct, writtenNames.contains(defaultProduct) { continue }
                let mark: ConfigMark
                if problem.key == "default_product" {
                    mark = root.mark(of: "default_product")
                } else if let index = problem.index {
                    let section = sections[sectionIndex[index]]
                    mark = problem.key.map(section.mark(of:)) ?? section.mark
                } else {
                    mark = root.mark(of: "products")
                }
                diagnostics.error(problem.message, at: mark)
            }
            return nil
        }
    }

    private static func readFreeEmailDomains(_ root: ConfigSection) -> FreeEmailDomains {
        guard let node = root.value("free_email_domains") else { return .shipped }
        guard case .sequence(let items, _) = node else {
            root.diagnostics.error("\(root.path).free_email_domains must be a list of domains, found \(node.kindName)", at: node.mark)
            return .shipped
        }
        var patterns: [String] = []
        var marks: [ConfigMark] = []
        for item in items {
            guard let text = scalarText(item) else {
                root.diagnostics.error("free_email_domains takes domains such as example.com, found \(item.kindName)", at: item.mark)
                continue
            }
            patterns.append(text)
            marks.append(item.mark)
        }
        do {
            return try FreeEmailDomains.shipped.adding(patterns)
        } catch {
            for problem in error.problems {
                root.diagnostics.error(problem.message, at: problem.index.map { marks[$0] } ?? node.mark)
            }
            return .shipped
        }
    }

    /// One product, or nil when any part of it was wrong (and reported).
    private static func readProduct(_ section: ConfigSection) -> Product? {
        let diagnostics = section.diagnostics
        let errorsBefore = diagnostics.errors.count
        let name = section.string("name", required: true) ?? ""
        let match = section.value("match").flatMap { readCondition($0, path: "\(section.path).match", diagnostics: diagnostics) }
        let deal = section.section("deal").flatMap(readDeal) ?? .unspecified
        let stages = section.section("stages").flatMap(readStages) ?? .standard
        let criteria = section.section("criteria", required: true).flatMap { readCriteria($0, product: name) }
        let assignment = section.section("assign").flatMap(readAssignment)
        section.finish(known: ["name", "match", "deal", "stages", "criteria", "assign"])
        guard let criteria, diagnostics.errors.count == errorsBefore else { return nil }
        return attempt(in: section) { () throws(CriteriaError) in
            try Product(name: name, match: match, deal: deal, stages: stages, criteria: criteria, assignment: assignment)
        }
    }

    private static func readDeal(_ section: ConfigSection) -> Deal? {
        let amount = section.double("amount")
        let amountField = section.string("amount_field")
        let currency = section.string("currency")
        let cycleDays = section.int("cycle_days")
        section.finish(known: ["amount", "amount_field", "currency", "cycle_days"])
        return attempt(in: section) { () throws(CriteriaError) in
            try Deal(amount: amount, amountField: amountField, currency: currency, cycleDays: cycleDays)
        }
    }

    private static func readStages(_ section: ConfigSection) -> StageTable? {
        var names: [String] = []
        for key in section.keys where !names.contains(key) { names.append(key) }
        let stages = names.compactMap { name in section.double(name).map { StageTable.Stage(name, $0) } }
        guard stages.count == names.count else { return nil }
        return attempt(in: section, index: { section.mark(of: names[$0]) }) { () throws(CriteriaError) in
            try StageTable(open: stages)
        }
    }

    /// `forecast:` — fiscal year, commit stages, and where stage probabilities come from; the defaults without one.
    static func readForecast(_ root: ConfigSection) -> ForecastSettings? {
        guard let section = root.section("forecast") else { return try? ForecastSettings() }
        let month = section.int("fiscal_year_start")
        let commit = section.stringList("commit_stages")
        let weight = section.double("prior_weight")
        var probability = ForecastSettings.ProbabilitySource.configured
        if let text = section.string("probability") {
            if let source = ForecastSettings.ProbabilitySource(rawValue: text) {
                probability = source
            } else {
                section.error("probability", "\(section.path).probability must be configured or learned, found '\(text)'")
            }
        }
        section.finish(known: ["fiscal_year_start", "commit_stages", "probability", "prior_weight"])
        return attempt(in: section) { () throws(CriteriaError) in
            try ForecastSettings(
                fiscalYearStartMonth: month ?? 1, commitStages: commit ?? [], probability: probability, priorWeight: weight ?? 10)
        }
    }

    static func readCriteria(_ section: ConfigSection, product: String) -> Criteria? {
        let version = section.int("version", required: true)
        let threshold = section.int("threshold", required: true)
        let ruleSections = section.sections("rules") ?? []
        let rules = ruleSections.compactMap(readRule)
        section.finish(known: ["version", "threshold", "rules"])
        guard let version, let threshold, rules.count == ruleSections.count else { return nil }
        return attempt(in: section, index: { ruleSections[$0].mark(of: "name") }) { () throws(CriteriaError) in
            try Criteria(product: product, version: version, threshold: threshold, rules: rules)
        }
    }

    private static func readRule(_ section: ConfigSection) -> Rule? {
        let name = section.string("name", required: true)
        let condition = required("when", in: section).flatMap {
            readCondition($0, path: "\(section.path).when", diagnostics: section.diagnostics)
        }
        let points = section.int("points") ?? 0
        let require = section.bool("require") ?? false
        let reject = section.bool("reject") ?? false
        section.finish(known: ["name", "when", "points", "require", "reject"])
        guard let name, let condition else { return nil }
        return attempt(in: section) { () throws(CriteriaError) in
            try Rule(name: name, when: condition, points: points, require: require, reject: reject)
        }
    }

    private static func readAssignment(_ section: ConfigSection) -> AssignmentPolicy? {
        let diagnostics = section.diagnostics
        let strategyName = section.string("strategy", required: true)
        let strategy = strategyName.flatMap(AssignmentPolicy.Strategy.init(rawValue:))
        if let strategyName, strategy == nil {
            let names = AssignmentPolicy.Strategy.allCases.map(\.rawValue).joined(separator: ", ")
            section.error("strategy", "strategy must be one of \(names), found '\(strategyName)'")
        }
        let unavailable = section.stringList("unavailable") ?? []
        let fallback = section.string("fallback")
        let ownersNode = section.value("owners")
        let ruleSections = section.sections("rules")
        section.finish(known: ["strategy", "owners", "rules", "unavailable", "fallback"])
        guard let strategy else { return nil }

        let marks = { (problem: CriteriaProblem) -> ConfigMark in
            if problem.key == "rules", let index = problem.index, let ruleSections { return ruleSections[index].mark }
            return itemMark(section, problem)
        }
        switch strategy {
        case .roundRobin, .weighted:
            if ruleSections != nil { section.error("rules", "rules apply to strategy: rules") }
            let shares = readShares(ownersNode, weighted: strategy == .weighted, path: "\(section.path).owners", diagnostics: diagnostics)
            guard let shares, ruleSections == nil else { return nil }
            return attempt(section.diagnostics, at: marks) { () throws(CriteriaError) in
                if strategy == .weighted {
                    try .weighted(shares, unavailable: unavailable, fallback: fallback)
                } else {
                    try .roundRobin(shares.map(\.owner), unavailable: unavailable, fallback: fallback)
                }
            }
        case .rules:
            if ownersNode != nil { section.error("owners", "owners apply to round_robin and weighted; the rules strategy names owners in its rules") }
            let rules = (ruleSections ?? []).compactMap { rule -> AssignmentPolicy.OwnerRule? in
                let condition = required("when", in: rule).flatMap {
                    readCondition($0, path: "\(rule.path).when", diagnostics: diagnostics)
                }
                let owner = rule.string("owner", required: true)
                rule.finish(known: ["when", "owner"])
                guard let condition, let owner else { return nil }
                return AssignmentPolicy.OwnerRule(when: condition, owner: owner)
            }
            guard rules.count == (ruleSections ?? []).count, ownersNode == nil else { return nil }
            return attempt(section.diagnostics, at: marks) { () throws(CriteriaError) in
                try .rules(rules, unavailable: unavailable, fallback: fallback)
            }
        }
    }

    /// `owners` as names (round robin) or as names and `{name, weight}` mappings (weighted).
    private static func readShares(_ node: ConfigValue?, weighted: Bool, path: String, diagnostics: ConfigDiagnostics) -> [AssignmentPolicy.Share]? {
        guard let node else {
            return []  // The policy reports the missing owners.
        }
        guard case .sequence(let items, _) = node else {
            diagnostics.error("\(path) must be a list of owners, found \(node.kindName)", at: node.mark)
            return nil
        }
        var shares: [AssignmentPolicy.Share] = []
        for (index, item) in items.enumerated() {
            if let name = scalarText(item) {
                shares.append(AssignmentPolicy.Share(name))
            } else if weighted, case .mapping = item {
                let owner = ConfigSection(item, path: "\(path)[\(index)]", diagnostics: diagnostics)
                let name = owner.string("name", required: true)
                let weight = owner.int("weight", required: true)
                owner.finish(known: ["name", "weight"])
                if let name, let weight { shares.append(AssignmentPolicy.Share(name, weight: weight)) }
            } else {
                let expected = weighted ? "a name or {name, weight}" : "a name (weights need strategy: weighted)"
                diagnostics.error("\(path)[\(index)] must be \(expected), found \(item.kindName)", at: item.mark)
            }
        }
        return shares.count == items.count ? shares : nil
    }

    /// A condition: `{field, <operator>, case_sensitive}`, or exactly one of `all`, `any`, `not`.
    private static func readCondition(_ node: ConfigValue, path: String, diagnostics: ConfigDiagnostics) -> Condition? {
        guard case .mapping = node else {
            diagnostics.error("\(path) must be a condition (a mapping with field, all, any or not), found \(node.kindName)", at: node.mark)
            return nil
        }
        let section = ConfigSection(node, path: path, diagnostics: diagnostics)
        let combinators = section.keys.filter { ["all", "any", "not"].contains($0) }
        if let combinator = combinators.first {
            for extra in combinators.dropFirst() {
                section.consume(extra)
                section.error(extra, "a condition takes one of all, any and not: nest them to combine")
            }
            let value = section.value(combinator)
            section.finish(known: [combinator])
            guard let value, combinators.count == 1 else {
                if combinators.count == 1 { section.error(combinator, "\(combinator) needs a condition") }
                return nil
            }
            if combinator == "not" {
                return readCondition(value, path: "\(path).not", diagnostics: diagnostics).map(Condition.not)
            }
            guard case .sequence(let items, _) = value, !items.isEmpty else {
                section.error(combinator, "\(combinator) takes a non-empty list of conditions")
                return nil
            }
            let conditions = items.enumerated().compactMap { index, item in
                readCondition(item, path: "\(path).\(combinator)[\(index)]", diagnostics: diagnostics)
            }
            guard conditions.count == items.count else { return nil }
            return combinator == "all" ? .all(conditions) : .any(conditions)
        }

        let field = section.string("field", required: true)
        let caseSensitive = section.bool("case_sensitive") ?? false
        let operators = section.keys.compactMap(ConditionOperator.init(rawValue:))
        let values = operators.map { section.value($0.rawValue) }
        section.finish(known: ["field", "case_sensitive"] + ConditionOperator.allCases.map(\.rawValue))
        guard let op = operators.first, operators.count == 1 else {
            if operators.count > 1 {
                let names = operators.map(\.rawValue).joined(separator: " and ")
                section.error(operators[1].rawValue, "one operator per condition, found \(names): combine two conditions with all")
            } else {
                let names = ConditionOperator.allCases.map(\.rawValue).joined(separator: ", ")
                diagnostics.error("\(path) needs one operator: \(names)", at: section.mark)
            }
            return nil
        }
        guard let node = values[0] else {
            section.error(op.rawValue, "\(op.rawValue) needs a value")
            return nil
        }
        guard let value = conditionValue(node, key: op.rawValue, path: path, diagnostics: diagnostics), let field else { return nil }
        return attempt(in: section) { () throws(CriteriaError) in
            try Condition(field: field, op, value, caseSensitive: caseSensitive)
        }
    }

    private static func conditionValue(_ node: ConfigValue, key: String, path: String, diagnostics: ConfigDiagnostics) -> ConditionValue? {
        switch node {
        case .scalar(let text, _, let quoted):
            return quoted ? .string(text) : .bare(text)
        case .sequence(let items, _):
            let values = items.compactMap { conditionValue($0, key: key, path: path, diagnostics: diagnostics) }
            return values.count == items.count ? .list(values) : nil
        case .mapping, .null:
            diagnostics.error("\(path).\(key) takes a value or a list of values, found \(node.kindName)", at: node.mark)
            return nil
        }
    }

    private static func scalarText(_ node: ConfigValue) -> String? {
        if case .scalar(let text, _, _) = node { return text }
        return nil
    }

    /// The value under `key`, reporting it missing.
    private static func required(_ key: String, in section: ConfigSection) -> ConfigValue? {
        let value = section.value(key)
        if value == nil { section.diagnostics.error("\(section.path) is missing required key '\(key)'", at: section.mark) }
        return value
    }

    /// Where a problem points within `section`: the key's value, or the list element `index` of it.
    private static func itemMark(_ section: ConfigSection, _ problem: CriteriaProblem) -> ConfigMark {
        guard let key = problem.key else { return section.mark }
        if let index = problem.index, case .sequence(let items, _)? = section.value(key), items.indices.contains(index) {
            return items[index].mark
        }
        return section.mark(of: key)
    }

    /// Runs a core constructor, reporting its problems within `section`; `index` places problems
    /// that point at an element of the block's own list (a rule, a stage).
    static func attempt<T>(
        in section: ConfigSection, index: ((Int) -> ConfigMark)? = nil, _ make: () throws(CriteriaError) -> T
    ) -> T? {
        attempt(section.diagnostics, at: { problem in
            if let index, let position = problem.index { return index(position) }
            return itemMark(section, problem)
        }, make)
    }

    private static func attempt<T>(_ diagnostics: ConfigDiagnostics, at mark: (CriteriaProblem) -> ConfigMark, _ make: () throws(CriteriaError) -> T) -> T? {
        do {
            return try make()
        } catch {
            for problem in error.problems { diagnostics.error(problem.message, at: mark(problem)) }
            return nil
        }
    }
}
