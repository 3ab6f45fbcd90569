/// Where a value stands in a config file, for error messages.
public struct ConfigMark: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    public var description: String { "\(file):\(line):\(column)" }
}

/// One problem in a config file, printed as `file:line:column: message`.
public struct ConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    public var mark: ConfigMark
    public var message: String

    public init(_ message: String, at mark: ConfigMark) {
        self.mark = mark
        self.message = message
    }

    public var description: String { "\(mark): \(message)" }
}

/// A parsed config document, independent of YAML: scalars keep their text (after `${VAR}` substitution), every node its mark.
public indirect enum ConfigValue: Sendable {
    case scalar(String, ConfigMark, quoted: Bool)
    case mapping([ConfigEntry], ConfigMark)
    case sequence([ConfigValue], ConfigMark)
    case null(ConfigMark)

    public var mark: ConfigMark {
        switch self {
        case .scalar(_, let mark, _), .mapping(_, let mark), .sequence(_, let mark), .null(let mark): mark
        }
    }

    /// What a person would call this node's kind, for "expected X, found Y" messages.
    public var kindName: String {
        switch self {
        case .scalar: "a scalar"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .null: "nothing"
        }
    }
}

/// One `key: value` of a mapping.
public struct ConfigEntry: Sendable {
    public var key: String
    public var keyMark: ConfigMark
    public var value: ConfigValue

    public init(key: String, keyMark: ConfigMark, value: ConfigValue) {
        self.key = key
        self.keyMark = keyMark
        self.value = value
    }
}
