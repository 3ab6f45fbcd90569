/// A JSON value that keeps numbers as written, so ids past 2^53 survive.
package indirect enum JSONValue {
    case object([(key: String, value: JSONValue)])
    /// Elements with their byte ranges in the document (a batch keeps each submission's own bytes).
    case array([(value: JSONValue, range: Range<Int>)])
    case string(String)
    case number(String)
    case bool(Bool)
    case null

    package var isScalar: Bool {
        switch self {
        case .object, .array: false
        case .string, .number, .bool, .null: true
        }
    }

    /// The text a scalar becomes as a field; nil for null, objects and arrays.
    package var scalarText: String? {
        switch self {
        case .string(let text), .number(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .null, .object, .array: nil
        }
    }

    package var kindName: String {
        switch self {
        case .object: "an object"
        case .array: "an array"
        case .string: "a string"
        case .number: "a number"
        case .bool: "a boolean"
        case .null: "null"
        }
    }
}

/// An RFC 8259 parser over UTF-8 bytes already known to be valid; strict, with byte offsets in its errors.
package struct JSONParser {
    package struct SyntaxError: Error {
        package var message: String
        package var offset: Int
    }

    /// Deeper nesting is refused rather than risking the stack.
    package static let maxDepth = 256

    private let bytes: [UInt8]
    private var index: Int
    private var depth = 0

    private init(bytes: [UInt8], index: Int) {
        self.bytes = bytes
        self.index = index
    }

    /// The one value in `bytes` from `start`, with nothing but whitespace after it.
    package static func parse(_ bytes: [UInt8], from start: Int = 0) throws(SyntaxError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, index: start)
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.index == bytes.count else { throw parser.unexpected("after the JSON value") }
        return value
    }

    private mutating func parseValue() throws(SyntaxError) -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw SyntaxError(message: "unexpected end of the body", offset: index) }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        case UInt8(ascii: "t"): return try parseLiteral("true", .bool(true))
        case UInt8(ascii: "f"): return try parseLiteral("false", .bool(false))
        case UInt8(ascii: "n"): return try parseLiteral("null", .null)
        default: throw unexpected("where a value should start")
        }
    }

    private mutating func parseObject() throws(SyntaxError) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        try Self.syntaxErrorsOnly { try readObject { parser, key in members.append((key, try parser.parseValue())) } }
        return .object(members)
    }

    private mutating func parseArray() throws(SyntaxError) -> JSONValue {
        var elements: [(value: JSONValue, range: Range<Int>)] = []
        try Self.syntaxErrorsOnly {
            try readArray { parser in
                parser.skipWhitespace()
                let start = parser.index
                elements.append((try parser.parseValue(), start..<parser.index))
            }
        }
        return .array(elements)
    }

    /// Runs `walk`, a `readObject` or `readArray` whose closures only parse, keeping the type of what it throws.
    private static func syntaxErrorsOnly(_ walk: () throws -> Void) throws(SyntaxError) {
        do {
            try walk()
        } catch let error as SyntaxError {
            throw error
        } catch {
            preconditionFailure("a parse threw \(error)")
        }
    }

    private mutating func parseString() throws(SyntaxError) -> String {
        let open = index
        index += 1
        // Most strings have no escape: made straight from the document's bytes, without a buffer between.
        while index < bytes.count, bytes[index] != UInt8(ascii: "\""), bytes[index] != UInt8(ascii: "\\"), bytes[index] >= 0x20 {
            index += 1
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "\"") {
            index += 1
            return String(decoding: bytes[(open + 1)..<(index - 1)], as: UTF8.self)
        }
        var buffer: [UInt8] = []
        var runStart = open + 1
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: "\""):
                buffer += bytes[runStart..<index]
                index += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                buffer += bytes[runStart..<index]
                index += 1
                try parseEscape(into: &buffer)
                runStart = index
            case 0..<0x20:
                throw SyntaxError(message: "control character 0x\(Hex.encoded([bytes[index]])) inside a string", offset: index)
            default:
                index += 1
            }
        }
        throw SyntaxError(message: "the string that starts here is not closed", offset: open)
    }

    private mutating func parseEscape(into buffer: inout [UInt8]) throws(SyntaxError) {
        guard index < bytes.count else { throw SyntaxError(message: "unexpected end of the body in an escape", offset: index) }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(escape)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            let escapeStart = index - 2
            var code = try parseHex4()
            if (0xD800...0xDBFF).contains(code) {
                guard bytes[index...].starts(with: Array("\\u".utf8)) else {
                    throw SyntaxError(message: "\\u escape of a lone surrogate", offset: escapeStart)
                }
                index += 2
                let low = try parseHex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw SyntaxError(message: "\\u escape of a lone surrogate", offset: escapeStart) }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            guard let scalar = Unicode.Scalar(code) else { throw SyntaxError(message: "\\u escape of a lone surrogate", offset: escapeStart) }
            UTF8.encode(scalar) { buffer.append($0) }
        default:
            throw SyntaxError(message: "unknown escape '\\\(Unicode.Scalar(escape))'", offset: index - 2)
        }
    }

    private mutating func parseHex4() throws(SyntaxError) -> UInt32 {
        var code: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count, let digit = Hex.value(bytes[index]) else {
                throw SyntaxError(message: "\\u must be followed by four hex digits", offset: index)
            }
            code = code << 4 | UInt32(digit)
            index += 1
        }
        return code
    }

    /// The number's text exactly as written, after checking it against the JSON grammar.
    private mutating func parseNumber() throws(SyntaxError) -> String {
        let start = index
        _ = consume(UInt8(ascii: "-"))
        if consume(UInt8(ascii: "0")) {
            // A leading zero stands alone: "01" is not JSON.
        } else {
            try digits()
        }
        if consume(UInt8(ascii: ".")) { try digits() }
        if consume(UInt8(ascii: "e")) || consume(UInt8(ascii: "E")) {
            if !consume(UInt8(ascii: "+")) { _ = consume(UInt8(ascii: "-")) }
            try digits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func digits() throws(SyntaxError) {
        let start = index
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
        if index == start { throw unexpected("where a digit should be") }
    }

    private mutating func parseLiteral(_ word: String, _ value: JSONValue) throws(SyntaxError) -> JSONValue {
        guard bytes[index...].starts(with: word.utf8) else { throw unexpected("where a value should start") }
        index += word.utf8.count
        return value
    }

    private mutating func enter() throws(SyntaxError) {
        depth += 1
        if depth > JSONParser.maxDepth { throw SyntaxError(message: "nested deeper than \(JSONParser.maxDepth) levels", offset: index) }
    }

    private mutating func consume(_ byte: UInt8) -> Bool {
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"): index += 1
            default: return
            }
        }
    }

    private func unexpected(_ context: String) -> SyntaxError {
        guard index < bytes.count else { return SyntaxError(message: "unexpected end of the body \(context)", offset: index) }
        let byte = bytes[index]
        let shown = (0x21...0x7E).contains(byte) ? "'\(Unicode.Scalar(byte))'" : "byte 0x\(Hex.encoded([byte]))"
        return SyntaxError(message: "unexpected \(shown) \(context)", offset: index)
    }
}

extension JSONParser {
    /// A scalar as `readScalar` finds it; an object or array is skipped and named in `other`.
    package enum Scalar {
        case text(String)
        case bool(Bool)
        case null
        /// Any other value, by the name errors give it (`a number`, `an object`...).
        case other(kindName: String)

        /// The value's kind as `JSONValue.kindName` names it.
        package var kindName: String {
            switch self {
            case .text: "a string"
            case .bool: "a boolean"
            case .null: "null"
            case .other(let kindName): kindName
            }
        }
    }

    /// A parser at the start of `bytes` that reads a document of known shape value by value, building no tree:
    /// `readObject`, `readArray`, `readScalar`, `skipValue`, then `finish`.
    package init(reading bytes: [UInt8]) {
        self.init(bytes: bytes, index: 0)
    }

    /// Whether the next value is an object, without reading it.
    package mutating func nextIsObject() throws(SyntaxError) -> Bool {
        try peek() == UInt8(ascii: "{")
    }

    /// Whether the next value is an array, without reading it.
    package mutating func nextIsArray() throws(SyntaxError) -> Bool {
        try peek() == UInt8(ascii: "[")
    }

    /// Reads an object, calling `member` with each key in document order; `member` must read or skip that key's value.
    package mutating func readObject(_ member: (inout JSONParser, String) throws -> Void) throws {
        guard try peek() == UInt8(ascii: "{") else { throw unexpected("where an object should start") }
        try enter()
        index += 1
        skipWhitespace()
        if !consume(UInt8(ascii: "}")) {
            while true {
                skipWhitespace()
                guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw unexpected("where a key should start") }
                let key = try parseString()
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { throw unexpected("where ':' should follow a key") }
                try member(&self, key)
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "}")) else { throw unexpected("where ',' or '}' should be") }
                break
            }
        }
        depth -= 1
    }

    /// Reads an array, calling `element` for each element, which it must read or skip.
    package mutating func readArray(_ element: (inout JSONParser) throws -> Void) throws {
        guard try peek() == UInt8(ascii: "[") else { throw unexpected("where an array should start") }
        try enter()
        index += 1
        skipWhitespace()
        if !consume(UInt8(ascii: "]")) {
            while true {
                try element(&self)
                skipWhitespace()
                if consume(UInt8(ascii: ",")) { continue }
                guard consume(UInt8(ascii: "]")) else { throw unexpected("where ',' or ']' should be") }
                break
            }
        }
        depth -= 1
    }

    /// Reads the next value: a string, a boolean or null as such; anything else is read past and named.
    package mutating func readScalar() throws(SyntaxError) -> Scalar {
        switch try peek() {
        case UInt8(ascii: "\""): return .text(try parseString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
            switch try parseValue() {
            case .bool(let flag): return .bool(flag)
            default: return .null
            }
        default:
            return .other(kindName: try parseValue().kindName)
        }
    }

    /// Reads past the next value, checking its syntax.
    package mutating func skipValue() throws(SyntaxError) {
        _ = try parseValue()
    }

    /// Checks that nothing but whitespace follows the value read.
    package mutating func finish() throws(SyntaxError) {
        skipWhitespace()
        guard index == bytes.count else { throw unexpected("after the JSON value") }
    }

    /// The first byte of the next value, after whitespace.
    private mutating func peek() throws(SyntaxError) -> UInt8 {
        skipWhitespace()
        guard index < bytes.count else { throw SyntaxError(message: "unexpected end of the body", offset: index) }
        return bytes[index]
    }
}
