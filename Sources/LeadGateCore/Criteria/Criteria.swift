import Foundation

/// One named rule of a product's criteria: a condition and what it means when it holds.
///
/// A class: evaluation walks the rules for every lead, and a reference is lent where a struct's
/// every operand would be retained.
public final class Rule: Sendable {
    public let name: String
    public let condition: Condition
    /// Added to the score when the condition holds; may be negative.
    public let points: Int
    /// The lead cannot be an opportunity unless this rule holds.
    public let require: Bool
    /// The lead is rejected when this rule holds.
    public let reject: Bool
    /// How the rule's reason is told.
    let shape: Shape

    enum Shape {
        /// One field test: the reason is what the test saw.
        case test(Test)
        /// Tests of one field only: the reason is that field's value and the first note.
        case oneField(CriteriaField)
        /// Tests over several fields (or none): the reason lists each field a test read.
        case fields

        /// How `rule`, of this shape, went for `lead`. A method of the shape rather than a switch in
        /// the criteria: matching on `self` borrows the payload, where matching on a stored property
        /// copies it (a retain and a release per rule and lead).
        @inline(__always)
        func reason(_ rule: Rule, _ lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> QualificationReason {
            switch self {
            case .test(let test):
                // Most rules test one field: no trace to keep.
                let (passed, seen) = test.outcome(lead, &scratch)
                return QualificationReason(
                    rule: rule.name, passed: passed, points: passed ? rule.points : 0,
                    value: seen.value.map(QualificationReason.shortened), note: seen.note
                )
            case .oneField(let field):
                // A range, or a negation, of one field: whichever test ran saw the same value.
                scratch.recording = .firstNote
                scratch.firstNote = nil
                let passed = rule.condition.evaluate(lead, &scratch)
                return QualificationReason(
                    rule: rule.name, passed: passed, points: passed ? rule.points : 0,
                    value: field.value(in: lead, &scratch).shown.map(QualificationReason.shortened), note: scratch.firstNote
                )
            case .fields:
                scratch.recording = .trace
                scratch.trace.removeAll(keepingCapacity: true)
                let passed = rule.condition.evaluate(lead, &scratch)
                return QualificationReason(rule: rule.name, passed: passed, points: passed ? rule.points : 0, trace: scratch.trace)
            }
        }
    }

    /// A rule; throws when it has no name or is both `require` and `reject`.
    public init(name: String, when condition: Condition, points: Int = 0, require: Bool = false, reject: Bool = false) throws(CriteriaError) {
        guard !name.trimmingCharacters(in: .whitespaces).isEmpty else { throw CriteriaError("a rule needs a name", key: "name") }
        guard !(require && reject) else {
            throw CriteriaError("rule '\(name)' cannot be both require and reject", key: "reject")
        }
        self.name = name
        self.condition = condition
        self.points = points
        self.require = require
        self.reject = reject
        let fields = condition.fields
        if case .test(let test) = condition.node {
            shape = .test(test)
        } else if fields.count == 1 {
            shape = .oneField(fields[0])
        } else {
            shape = .fields
        }
    }

    var canonical: String {
        "rule(\(Condition.quoted(name)),\(points),\(require),\(reject),\(condition.canonical))"
    }
}

/// A product's named, versioned rules and the score an opportunity must reach.
///
/// A class, as `Product` is: evaluating read a product's criteria out of it as a copy of the struct, its rules, names
/// and hash retained and released for every lead (`intake.sh`).
public final class Criteria: Sendable {
    public let product: String
    public let version: Int
    public let threshold: Int
    public let rules: [Rule]
    /// `rules`, which own them, as unmanaged references for evaluation.
    private let lent: [Unmanaged<Rule>]
    /// `product@version`, as recorded on every lead these criteria decide.
    public let id: String
    /// FNV-1a 64 of the rules and threshold as written, in hex: changes whenever they do, whatever
    /// the version says, and is the same on every machine.
    public let rulesHash: String

    /// Criteria; throws when there are no rules, a version below 1, or two rules share a name.
    ///
    /// Problems point at `version`, or at `rules` with the index of the offending rule.
    public init(product: String, version: Int, threshold: Int, rules: [Rule]) throws(CriteriaError) {
        var problems: [CriteriaProblem] = []
        if version < 1 { problems.append(CriteriaProblem("version must be 1 or more, found \(version)", key: "version")) }
        if rules.isEmpty { problems.append(CriteriaProblem("criteria need at least one rule", key: "rules")) }
        var seen: Set<String> = []
        for (index, rule) in rules.enumerated() where !seen.insert(rule.name).inserted {
            problems.append(CriteriaProblem("two rules are named '\(rule.name)'", key: "rules", index: index))
        }
        guard problems.isEmpty else { throw CriteriaError(problems) }
        self.product = product
        self.version = version
        self.threshold = threshold
        self.rules = rules
        self.lent = rules.map(Unmanaged.passUnretained)
        self.id = "\(product)@\(version)"
        self.rulesHash = Self.fnv1a64("threshold=\(threshold);" + rules.map(\.canonical).joined(separator: ";"))
    }

    /// Scores and decides one lead, with one reason per rule in rule order.
    ///
    /// `rejected` when a `reject` rule holds or the lead has neither email nor phone; `opportunity`
    /// when every `require` rule holds and the score reaches the threshold; `lead` otherwise.
    public func evaluate(_ input: CriteriaInput) -> Qualification {
        var scratch = input.scratch()
        return evaluate(input.lead, &scratch)
    }

    /// `evaluate(_:)` of a lead lent with the scratch of its evaluations.
    func evaluate(_ lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Qualification {
        var score = 0
        var requirementsHold = true
        var rejectedBy: String?
        var reasons: [QualificationReason] = []
        reasons.reserveCapacity(rules.count)
        for rule in lent {
            // `rules` keeps every rule alive, so each is used as a guaranteed reference: no retain or
            // release of the rule, nor of its shape's payload read through it, for every rule and lead.
            rule._withUnsafeGuaranteedRef { rule in
                let reason = rule.shape.reason(rule, lead, &scratch)
                score += reason.points
                if rule.require, !reason.passed { requirementsHold = false }
                if rule.reject, reason.passed, rejectedBy == nil { rejectedBy = rule.name }
                reasons.append(reason)
            }
        }
        if rejectedBy == nil, !lead.contact.isReachable { rejectedBy = Qualification.unreachable }
        let decision: LeadStatus
        if rejectedBy != nil {
            decision = .rejected
        } else if requirementsHold, score >= threshold {
            decision = .opportunity
        } else {
            decision = .lead
        }
        return Qualification(criteria: id, score: score, decision: decision, rejectedBy: rejectedBy, reasons: reasons)
    }

    static func fnv1a64(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}

/// What the criteria made of a lead, as stored on it and returned by the API.
public struct Qualification: Sendable, Hashable, Codable {
    /// `rejectedBy` for a lead with neither email nor phone.
    public static let unreachable = "unreachable"

    /// `product@version` of the criteria that decided.
    public let criteria: String
    public let score: Int
    public let decision: LeadStatus
    /// The first `reject` rule that held, or `unreachable`; nil unless the decision is `rejected`.
    public let rejectedBy: String?
    public let reasons: [QualificationReason]

    /// A qualification as evaluated, or as read back from the store.
    public init(criteria: String, score: Int, decision: LeadStatus, rejectedBy: String?, reasons: [QualificationReason]) {
        self.criteria = criteria
        self.score = score
        self.decision = decision
        self.rejectedBy = rejectedBy
        self.reasons = reasons
    }

    enum CodingKeys: String, CodingKey {
        case criteria, score, decision, rejectedBy = "rejected_by", reasons
    }
}

/// How one rule went for one lead.
///
/// 48 bytes: a product's reasons, one per rule, are made for every lead, and up to 20 of them take less than 1 KiB,
/// which glibc's malloc serves from its small bins. A chunk of 1 KiB or more first consolidates every small chunk freed
/// since the last, about 2 µs a lead in the gateway's profile with 20 rules at 64 bytes a reason (README). So the rare
/// note is kept apart, with whether the rule passed, in one reference.
public struct QualificationReason: Sendable, Hashable, Codable {
    /// Longest value kept in a reason, in characters: a free-text field can be pages long.
    static let valueLimit = 80

    public let rule: String
    /// The value the rule saw; for a rule over several fields, `field=value` for each field it read.
    public let value: String?
    /// What the rule added to the score: its points when it passed, else 0.
    public let points: Int
    /// Inlinable, with what it reads: the store reads both for every reason of every lead it writes.
    @usableFromInline let outcome: Outcome

    @usableFromInline
    enum Outcome: Sendable, Hashable {
        case passed, failed
        case noted(Noted)
    }

    @usableFromInline
    final class Noted: Sendable, Hashable {
        @usableFromInline let passed: Bool
        @usableFromInline let note: String

        init(passed: Bool, note: String) {
            self.passed = passed
            self.note = note
        }

        @usableFromInline
        static func == (lhs: Noted, rhs: Noted) -> Bool { lhs.passed == rhs.passed && lhs.note == rhs.note }

        @usableFromInline
        func hash(into hasher: inout Hasher) {
            hasher.combine(passed)
            hasher.combine(note)
        }
    }

    @inlinable public var passed: Bool {
        switch outcome {
        case .passed: true
        case .failed: false
        case .noted(let noted): noted.passed
        }
    }

    /// Why a value could not be used, e.g. `not a number`.
    @inlinable public var note: String? {
        if case .noted(let noted) = outcome { noted.note } else { nil }
    }

    /// A reason as evaluated, or as read back from the store.
    public init(rule: String, passed: Bool, points: Int, value: String? = nil, note: String? = nil) {
        self.rule = rule
        self.value = value
        self.points = points
        self.outcome = note.map { .noted(Noted(passed: passed, note: $0)) } ?? (passed ? .passed : .failed)
    }

    private enum CodingKeys: String, CodingKey {
        case rule, passed, points, value, note
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            rule: try container.decode(String.self, forKey: .rule), passed: try container.decode(Bool.self, forKey: .passed),
            points: try container.decode(Int.self, forKey: .points), value: try container.decodeIfPresent(String.self, forKey: .value),
            note: try container.decodeIfPresent(String.self, forKey: .note)
        )
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rule, forKey: .rule)
        try container.encode(passed, forKey: .passed)
        try container.encode(points, forKey: .points)
        try container.encodeIfPresent(value, forKey: .value)
        try container.encodeIfPresent(note, forKey: .note)
    }

    init(rule: String, passed: Bool, points: Int, trace: [Observation]) {
        if let first = trace.first, trace.allSatisfy({ $0.field == first.field }) {
            let seen = trace.first { $0.note != nil } ?? first
            self.init(rule: rule, passed: passed, points: points, value: seen.value.map(Self.shortened), note: seen.note)
            return
        }
        // A field tested twice is shown once. `name=value, name=value` is written in one allocation:
        // this runs for every rule over several fields of every lead, and appending piece by piece
        // grows the string several times.
        func isFirst(_ index: Int) -> Bool { !trace[..<index].contains { $0.field == trace[index].field } }
        var length = 0
        var note: String?
        for index in trace.indices where isFirst(index) {
            let name = trace[index].field.name
            length += (length == 0 ? 0 : 2) + name.utf8.count + 1 + (trace[index].value.map(Self.shortened)?.utf8.count ?? 6)
            if let text = trace[index].note {
                note = (note.map { $0 + "; " } ?? "") + name + ": " + text
            }
        }
        let value = String(unsafeUninitializedCapacity: length) { buffer in
            var end = 0
            for index in trace.indices where isFirst(index) {
                var name = trace[index].field.name
                var shown = trace[index].value.map(Self.shortened) ?? "(none)"
                if end > 0 {
                    buffer[end] = UInt8(ascii: ",")
                    buffer[end + 1] = UInt8(ascii: " ")
                    end += 2
                }
                end = name.withUTF8 { buffer[end...].initialize(fromContentsOf: $0) }
                buffer[end] = UInt8(ascii: "=")
                end = shown.withUTF8 { buffer[(end + 1)...].initialize(fromContentsOf: $0) }
            }
            return end
        }
        self.init(rule: rule, passed: passed, points: points, value: value, note: note)
    }

    static func shortened(_ text: String) -> String {
        // utf8.count is O(1) for native strings; count characters only for the rare long value.
        guard text.utf8.count > valueLimit, text.count > valueLimit else { return text }
        return String(text.prefix(valueLimit - 1)) + "…"
    }
}
