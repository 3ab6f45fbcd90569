/// One thing wrong with criteria, products or assignment as written.
///
/// `key` names the config key at fault and `index` the element of its list, so that a config reader
/// can point at the exact line; both are nil when the problem is with the whole block.
public struct CriteriaProblem: Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public var key: String?
    public var index: Int?

    /// A problem with `message`, at `key` (element `index` of it) when given.
    public init(_ message: String, key: String? = nil, index: Int? = nil) {
        self.message = message
        self.key = key
        self.index = index
    }

    public var description: String { message }
}

/// Every problem found in one block of criteria configuration (a condition, a rule list, a product...).
public struct CriteriaError: Error, Sendable, Hashable, CustomStringConvertible {
    public var problems: [CriteriaProblem]

    /// An error carrying every problem found.
    public init(_ problems: [CriteriaProblem]) {
        self.problems = problems
    }

    /// An error with one problem.
    public init(_ message: String, key: String? = nil, index: Int? = nil) {
        self.problems = [CriteriaProblem(message, key: key, index: index)]
    }

    public var description: String { problems.map(\.message).joined(separator: "; ") }
}
