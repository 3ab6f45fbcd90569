/// Why a value could not be normalized: the canonical field and a reason a person can act on.
public struct NormalizationProblem: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    public var field: String
    public var reason: String

    public init(field: String, reason: String) {
        self.field = field
        self.reason = reason
    }

    public var description: String { "\(field): \(reason)" }
}
