import Foundation

/// A condition's operator, by the key config writes it with.
public enum ConditionOperator: String, Sendable, CaseIterable {
    case present, absent, equals, `in`, notIn = "not_in", contains, matches, gt, gte, lt, lte
}

/// An operand as config wrote it.
///
/// A quoted scalar (`"20000"`) is always text; a bare one (`20000`, `true`) may also be read as a
/// number or a boolean, the way YAML readers take it.
public indirect enum ConditionValue: Sendable, Hashable {
    case string(String)
    case bare(String)
    case list([ConditionValue])

    var scalarText: String? {
        switch self {
        case .string(let text), .bare(let text): text
        case .list: nil
        }
    }
}

/// A test on a lead: `field` + one operator, or `all`, `any`, `not` of other conditions.
///
/// Built once when config loads: the field is resolved, operands lower-cased, numbers parsed and
/// regular expressions compiled, so evaluating does no parsing of the config. Text compares without
/// regard to case unless `caseSensitive`, and always composed (NFC) on both sides, so `café` typed
/// with a combining accent equals one typed with `é`. Every operator but `present`/`absent` is false on a missing value
/// (`not_in` too: wrap `in` in `not` for the opposite), and a comparison (`gt`...) is false when the
/// value is not a number, with a note saying so. `matches` searches anywhere in the value: anchor
/// with `^`/`$`. `contains` takes one text or a list (true when any is contained). `equals`/`in` with
/// a bare number also match a value that reads as that number (`20,000 ₪` equals `20000`).
public struct Condition: Sendable {
    let node: Node

    enum Node: Sendable {
        case test(Test)
        case all([Condition])
        case any([Condition])
        indirect case not(Condition)

        /// A method of the node rather than a switch in the condition: matching on `self` borrows
        /// the payload, where matching on a stored property copies it (a retain and a release).
        func evaluate(_ lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Bool {
            switch self {
            case .test(let test):
                return test.evaluate(lead, &scratch)
            case .all(let conditions):
                for condition in conditions where !condition.evaluate(lead, &scratch) { return false }
                return true
            case .any(let conditions):
                for condition in conditions where condition.evaluate(lead, &scratch) { return true }
                return false
            case .not(let condition):
                return !condition.evaluate(lead, &scratch)
            }
        }
    }

    private init(_ node: Node) {
        self.node = node
    }

    /// True when every one of `conditions` holds (true for none).
    public static func all(_ conditions: [Condition]) -> Condition { Condition(.all(conditions)) }

    /// True when at least one of `conditions` holds (false for none).
    public static func any(_ conditions: [Condition]) -> Condition { Condition(.any(conditions)) }

    /// True when `condition` does not hold.
    public static func not(_ condition: Condition) -> Condition { Condition(.not(condition)) }

    /// A test of one field; throws when the field is unknown or the operator or operand does not fit it.
    ///
    /// Problems name the key at fault: `field`, the operator's own key (with the list index for a bad
    /// element), or `case_sensitive`.
    public init(field name: String, _ op: ConditionOperator, _ value: ConditionValue, caseSensitive: Bool = false) throws(CriteriaError) {
        guard let field = CriteriaField(name: name) else {
            throw CriteriaError(
                "unknown field '\(name)': use one of \(CriteriaField.knownNames.joined(separator: ", ")), or fields.<key> for a sender's own field",
                key: "field"
            )
        }
        let matcher = try Test.matcher(field: field, op, value, caseSensitive: caseSensitive)
        self.init(.test(Test(field: field, op: op, value: value, caseSensitive: caseSensitive, matcher: matcher)))
    }

    /// True when the condition holds for `input`.
    public func holds(for input: CriteriaInput) -> Bool {
        var scratch = input.scratch()
        return holds(for: input.lead, &scratch)
    }

    /// True when the condition holds for `lead`; records nothing.
    func holds(for lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Bool {
        scratch.recording = .nothing
        return evaluate(lead, &scratch)
    }

    /// The fields the condition's tests read, each once, in the order they first appear.
    var fields: [CriteriaField] {
        switch node {
        case .test(let test): [test.field]
        case .all(let conditions), .any(let conditions):
            conditions.reduce(into: []) { fields, condition in
                for field in condition.fields where !fields.contains(field) { fields.append(field) }
            }
        case .not(let condition): condition.fields
        }
    }

    /// Evaluates, recording what each field test saw as the scratch asks (only the tests that ran:
    /// `all` and `any` stop early).
    func evaluate(_ lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Bool {
        node.evaluate(lead, &scratch)
    }

    /// A stable text form of the condition as written, for hashing and display.
    public var canonical: String {
        switch node {
        case .test(let test):
            let flag = test.caseSensitive ? ",case_sensitive" : ""
            return "{\(test.field.name),\(test.op.rawValue):\(Self.canonical(test.value))\(flag)}"
        case .all(let conditions): return "all(" + conditions.map(\.canonical).joined(separator: ",") + ")"
        case .any(let conditions): return "any(" + conditions.map(\.canonical).joined(separator: ",") + ")"
        case .not(let condition): return "not(" + condition.canonical + ")"
        }
    }

    /// `text` in double quotes with `\` and `"` escaped: an unambiguous, version-proof form for hashing.
    static func quoted(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    private static func canonical(_ value: ConditionValue) -> String {
        switch value {
        case .string(let text): return "s" + quoted(text)
        case .bare(let text): return "b" + quoted(text)
        case .list(let items): return "[" + items.map(canonical).joined(separator: ",") + "]"
        }
    }
}

/// The texts of `equals`, `in` and `not_in`, folded: a short list is scanned, comparing on the
/// value's own bytes (see `CriteriaText.any`), which beats folding and hashing it.
struct TextSet: Sendable {
    private let texts: Texts

    private enum Texts {
        case list(PackedTexts)
        case hashed(Set<String>)
    }

    init(_ texts: Set<String>) {
        self.texts = texts.count > 8 ? .hashed(texts) : .list(PackedTexts(texts))
    }

    /// True when `text`, folded, is one of the texts.
    func contains(_ text: String, caseSensitive: Bool) -> Bool {
        switch texts {
        case .list(let list): CriteriaText.any(of: list, text, caseSensitive: caseSensitive, CriteriaText.equals)
        case .hashed(let set): set.contains(CriteriaText.folded(text, caseSensitive: caseSensitive))
        }
    }
}

/// What one field test saw, for the reasons of a rule.
struct Observation {
    let field: CriteriaField
    let value: String?
    let note: String?
}

/// One field test with its operands prepared for evaluation.
///
/// A class so that walking the condition tree passes one reference instead of copying every operand.
final class Test: Sendable {
    let field: CriteriaField
    let op: ConditionOperator
    let value: ConditionValue
    let caseSensitive: Bool
    let matcher: Matcher

    init(field: CriteriaField, op: ConditionOperator, value: ConditionValue, caseSensitive: Bool, matcher: Matcher) {
        self.field = field
        self.op = op
        self.value = value
        self.caseSensitive = caseSensitive
        self.matcher = matcher
    }

    enum Matcher: Sendable {
        case presence(Bool)
        case flag(Bool)
        /// `equals`, `in`, `not_in`: folded texts, and the numbers bare operands read as.
        case oneOf(texts: TextSet, numbers: Set<Double>, negated: Bool)
        case containsAny(PackedTexts)
        case pattern(TextPattern)
        case compare(ConditionOperator, Double)

        /// Whether `value` passes, and a note when it could not be used. A missing value, or a kind
        /// the operator was refused for at load time, does not pass.
        ///
        /// A method of the matcher rather than a switch in the test: matching on `self` borrows the
        /// operands, where matching on a stored property copies them for every lead.
        func matches(_ value: FieldValue, of field: CriteriaField, caseSensitive: Bool, _ scratch: inout EvaluationScratch) -> (Bool, String?) {
            switch self {
            case .presence(let wanted):
                if case .missing = value { return (!wanted, nil) }
                return (wanted, nil)
            case .flag(let wanted):
                if case .bool(let flag) = value { return (flag == wanted, nil) }
            case .oneOf(let texts, let numbers, let negated):
                if case .text(let text) = value {
                    let hit = texts.contains(text, caseSensitive: caseSensitive)
                        || (!numbers.isEmpty && scratch.number(field, text).map(numbers.contains) == true)
                    return (hit != negated, nil)
                }
                if case .number(let number) = value { return (numbers.contains(Double(number)) != negated, nil) }
            case .containsAny(let needles):
                if case .text(let text) = value {
                    return (CriteriaText.any(of: needles, text, caseSensitive: caseSensitive, CriteriaText.contains), nil)
                }
            case .pattern(let regex):
                if case .text(let text) = value {
                    return (regex.matches(text), nil)
                }
            case .compare(let op, let bound):
                if case .number(let number) = value { return (Test.compare(Double(number), op, bound), nil) }
                if case .text(let text) = value {
                    guard let number = scratch.number(field, text) else { return (false, "not a number") }
                    return (Test.compare(number, op, bound), nil)
                }
            }
            return (false, nil)
        }
    }

    func evaluate(_ lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Bool {
        let value = field.value(in: lead, &scratch)
        let (passed, note) = matcher.matches(value, of: field, caseSensitive: caseSensitive, &scratch)
        scratch.record(field, value, note)
        return passed
    }

    /// Whether the test passes, and what it saw.
    func outcome(_ lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> (Bool, Observation) {
        let value = field.value(in: lead, &scratch)
        let (passed, note) = matcher.matches(value, of: field, caseSensitive: caseSensitive, &scratch)
        return (passed, Observation(field: field, value: value.shown, note: note))
    }

    fileprivate static func compare(_ number: Double, _ op: ConditionOperator, _ bound: Double) -> Bool {
        switch op {
        case .gt: number > bound
        case .gte: number >= bound
        case .lt: number < bound
        default: number <= bound
        }
    }

    /// Checks that `op` and `value` fit `field` and prepares the operands.
    static func matcher(field: CriteriaField, _ op: ConditionOperator, _ value: ConditionValue, caseSensitive: Bool) throws(CriteriaError) -> Matcher {
        let name = field.name
        let kind = field.kind
        let key = op.rawValue
        let textOperators: Set<ConditionOperator> = [.equals, .in, .notIn, .contains, .matches]
        if caseSensitive, kind != .text || !textOperators.contains(op) {
            throw CriteriaError(
                "case_sensitive applies only to equals, in, not_in, contains and matches on a text field", key: "case_sensitive"
            )
        }
        switch op {
        case .present, .absent:
            guard let wanted = bool(value) else { throw CriteriaError("\(key) takes true or false", key: key) }
            return .presence(op == .present ? wanted : !wanted)
        case .equals where kind == .bool:
            guard let wanted = bool(value) else { throw CriteriaError("\(name) is true or false: equals takes true or false", key: key) }
            return .flag(wanted)
        case .equals:
            guard value.scalarText != nil else { throw CriteriaError("equals takes one value; use in for a list", key: key) }
            return try oneOf(field: field, [value], negated: false, caseSensitive: caseSensitive, key: key, indexed: false)
        case .in, .notIn:
            guard kind != .bool else { throw CriteriaError("\(name) is true or false: use equals", key: key) }
            guard case .list(let items) = value, !items.isEmpty else {
                throw CriteriaError("\(key) takes a non-empty list such as [a, b]", key: key)
            }
            return try oneOf(field: field, items, negated: op == .notIn, caseSensitive: caseSensitive, key: key, indexed: true)
        case .contains, .matches:
            guard kind == .text else {
                throw CriteriaError("\(key) applies to text, and \(name) \(kindPhrase(kind)): use equals or in", key: key)
            }
            if op == .matches {
                guard let pattern = value.scalarText else { throw CriteriaError("matches takes one regular expression", key: key) }
                guard let regex = TextPattern(CriteriaText.composed(pattern), caseSensitive: caseSensitive) else {
                    throw CriteriaError("'\(pattern)' is not a valid regular expression", key: key)
                }
                return .pattern(regex)
            }
            let items: [ConditionValue]
            if case .list(let list) = value { items = list } else { items = [value] }
            var needles: [String] = []
            for (index, item) in items.enumerated() {
                guard let text = item.scalarText, !text.isEmpty else {
                    throw CriteriaError("contains takes a non-empty text or a list of them", key: key, index: items.count > 1 ? index : nil)
                }
                needles.append(CriteriaText.folded(text, caseSensitive: caseSensitive))
            }
            guard !needles.isEmpty else { throw CriteriaError("contains takes a non-empty text or a list of them", key: key) }
            return .containsAny(PackedTexts(needles))
        case .gt, .gte, .lt, .lte:
            switch kind {
            case .text, .number: break
            default: throw CriteriaError("\(key) compares numbers, and \(name) \(kindPhrase(kind))", key: key)
            }
            guard let text = value.scalarText, let bound = LeadNumber.parse(text) else {
                throw CriteriaError("\(key) takes a number, found \(shown(value))", key: key)
            }
            return .compare(op, bound)
        }
    }

    private static func oneOf(
        field: CriteriaField, _ items: [ConditionValue], negated: Bool, caseSensitive: Bool, key: String, indexed: Bool
    ) throws(CriteriaError) -> Matcher {
        var texts: Set<String> = []
        var numbers: Set<Double> = []
        var problems: [CriteriaProblem] = []
        for (position, item) in items.enumerated() {
            let index = indexed ? position : nil
            guard let text = item.scalarText else {
                problems.append(CriteriaProblem("\(key) takes plain values, not a nested list", key: key, index: index))
                continue
            }
            switch field.kind {
            case .text:
                texts.insert(CriteriaText.folded(text, caseSensitive: caseSensitive))
                if case .bare = item, let number = LeadNumber.parse(text) { numbers.insert(number) }
            case .countryCode:
                guard text.count == 2, text.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                    problems.append(CriteriaProblem(
                        "\(field.name) holds ISO 3166-1 alpha-2 codes such as IL, so '\(text)' would never match", key: key, index: index
                    ))
                    continue
                }
                texts.insert(text.lowercased())
            case .choice(let names):
                guard names.contains(text.lowercased()) else {
                    problems.append(CriteriaProblem(
                        "'\(text)' is not a value of \(field.name): use one of \(names.joined(separator: ", "))", key: key, index: index
                    ))
                    continue
                }
                texts.insert(text.lowercased())
            case .number(let range):
                guard let number = Int(text), range.contains(number) else {
                    problems.append(CriteriaProblem(
                        "\(field.name) is a whole number from \(range.lowerBound) to \(range.upperBound), found '\(text)'", key: key, index: index
                    ))
                    continue
                }
                numbers.insert(Double(number))
            case .bool:
                problems.append(CriteriaProblem("\(field.name) is true or false: use equals", key: key))
            }
        }
        guard problems.isEmpty else { throw CriteriaError(problems) }
        return .oneOf(texts: TextSet(texts), numbers: numbers, negated: negated)
    }

    private static func bool(_ value: ConditionValue) -> Bool? {
        switch value.scalarText?.lowercased() {
        case "true", "yes", "on": true
        case "false", "no", "off": false
        default: nil
        }
    }

    private static func kindPhrase(_ kind: CriteriaField.Kind) -> String {
        switch kind {
        case .text: "is text"
        case .countryCode: "is a country code"
        case .bool: "is true or false"
        case .number: "is a number"
        case .choice(let names): "is one of " + names.joined(separator: ", ")
        }
    }

    private static func shown(_ value: ConditionValue) -> String {
        value.scalarText.map { "'\($0)'" } ?? "a list"
    }
}
