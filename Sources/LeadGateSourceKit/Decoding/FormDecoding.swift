import Foundation
import LeadGateCore

/// What to do with the file parts of a multipart form.
public enum FilePartPolicy: String, Sendable, Hashable, CaseIterable {
    /// Drop file parts and read the text fields.
    case ignore
    /// Refuse the body (415, code `file_not_accepted`).
    case refuse
}

/// A dotted path into a JSON document, object keys and array indices: `data.lead`, `payload.0.fields`.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    public let segments: [String]

    /// Nil when a segment is empty (`a..b`, a leading or trailing dot, or no text at all).
    public init?(_ text: String) {
        let segments = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !segments.contains(where: \.isEmpty) else { return nil }
        self.segments = segments
    }

    public var description: String { segments.joined(separator: ".") }
}

/// Limits and choices for `FormBody.decode`.
public struct FormDecodingOptions: Sendable, Hashable {
    /// Most fields one body may carry, all its submissions together (a submission with no fields counts as one).
    public var maxFields: Int
    /// What to do with file parts of a multipart form.
    public var files: FilePartPolicy
    /// Where the submission is in a JSON body; nil for the top level.
    public var jsonPath: JSONPath?

    public init(maxFields: Int = 1_000, files: FilePartPolicy = .ignore, jsonPath: JSONPath? = nil) {
        self.maxFields = maxFields
        self.files = files
        self.jsonPath = jsonPath
    }
}

/// One submission decoded from a body: its fields in the sender's order.
public struct FormSubmission: Sendable, Hashable {
    public var fields: [RawField]
    /// This submission's own bytes when the body holds several (one element of a JSON array); nil when it is the whole body.
    public var rawPayload: [UInt8]?

    public init(fields: [RawField], rawPayload: [UInt8]? = nil) {
        self.fields = fields
        self.rawPayload = rawPayload
    }
}

/// Decodes the bodies that forms and form builders post: urlencoded, multipart/form-data and JSON.
public enum FormBody {
    /// The media types `decode` reads (and any `application/*+json`).
    public static let mediaTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "application/json"]

    /// The submissions in `request`'s body, read by its `Content-Type`.
    ///
    /// Throws `SourceError`: 415 for a missing or unread content type, an unknown charset or a refused file;
    /// 400 for a body that does not decode (codes `empty_body`, `invalid_encoding`, `invalid_json`,
    /// `missing_boundary`, `unterminated_multipart`, ...); 413 over `options.maxFields`.
    /// A urlencoded or multipart body is one submission; a JSON array (at `jsonPath`) is one per element.
    public static func decode(_ request: InboundRequest, options: FormDecodingOptions = FormDecodingOptions()) throws(SourceError) -> [FormSubmission] {
        let accepted = "send application/x-www-form-urlencoded, multipart/form-data or application/json"
        guard let header = request.header("Content-Type") else {
            throw .unsupportedMediaType("the request has no Content-Type; \(accepted)")
        }
        guard let type = MediaType(parsing: header) else {
            throw .unsupportedMediaType("Content-Type '\(header)' is not a media type; \(accepted)")
        }
        let isJSON = type.essence == "application/json" || (type.essence.hasPrefix("application/") && type.essence.hasSuffix("+json"))
        guard isJSON || mediaTypes.contains(type.essence) else {
            throw .unsupportedMediaType("Content-Type '\(type.essence)' is not read by this source; \(accepted)")
        }
        guard !request.body.isEmpty else { throw .malformed("the body is empty", code: "empty_body") }

        var budget = FieldBudget(limit: options.maxFields)
        if isJSON {
            return try decodeJSON(request.body, charsetLabel: type.charset, path: options.jsonPath, budget: &budget)
        }
        let fields =
            if type.essence == "multipart/form-data" {
                try decodeMultipart(request.body, type: type, files: options.files, budget: &budget)
            } else {
                try decodeURLEncoded(request.body, charsetLabel: type.charset, budget: &budget)
            }
        return [FormSubmission(fields: fields)]
    }
}

/// Counts fields against `maxFields` as they are found, so an oversized body stops early.
struct FieldBudget {
    let limit: Int
    private var used = 0

    init(limit: Int) { self.limit = limit }

    mutating func take() throws(SourceError) {
        used += 1
        if used > limit { throw .tooLarge("the body has more than \(limit) fields (max_fields)") }
    }
}

private let lineFeed = UInt8(ascii: "\n")
private let carriageReturn = UInt8(ascii: "\r")

// MARK: - Text and charsets

extension FormBody {
    /// The charset `label` names (nil: UTF-8); `origin` says where the label came from, for the message.
    static func charset(named label: String?, origin: String) throws(SourceError) -> Charset {
        guard let label else { return .utf8 }
        guard let charset = Charset(label: label) else {
            throw SourceError(
                status: 415, code: "unsupported_charset", message: "\(origin) names charset '\(label)', which is not supported",
                authenticated: true)
        }
        return charset
    }

    /// `bytes` as text in `charset`; `what` names the field for the message.
    static func text(_ bytes: some Collection<UInt8>, in charset: Charset, what: @autoclosure () -> String) throws(SourceError) -> String {
        do throws(TextDecodingError) {
            return try charset.decode(bytes).text
        } catch {
            throw .malformed("\(what()) is not valid \(charset.name) (byte \(error.offset ?? 0))", code: "invalid_encoding")
        }
    }
}

// MARK: - application/x-www-form-urlencoded

extension FormBody {
    static func decodeURLEncoded(_ body: [UInt8], charsetLabel: String?, budget: inout FieldBudget) throws(SourceError) -> [RawField] {
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        var start = body.startIndex
        let percent = UInt8(ascii: "%"), plus = UInt8(ascii: "+")
        while start < body.endIndex {
            let end = body[start...].firstIndex(of: UInt8(ascii: "&")) ?? body.endIndex
            let pair = body[start..<end]
            if !pair.isEmpty {
                try budget.take()
                let equals = pair.firstIndex(of: UInt8(ascii: "=")) ?? end
                pairs.append((Hex.unescaped(pair[..<equals], escape: percent, space: plus), Hex.unescaped(pair[equals...].dropFirst(), escape: percent, space: plus)))
            }
            start = end + 1
        }

        // Browsers fill a hidden `_charset_` field with the encoding they used: the hint when the header has none.
        let charsetName = Array("_charset_".utf8)
        let hinted = pairs.first { $0.name == charsetName }.map { String(decoding: $0.value, as: UTF8.self) }
        let charset =
            if let charsetLabel {
                try charset(named: charsetLabel, origin: "the Content-Type")
            } else {
                try charset(named: hinted, origin: "the _charset_ field")
            }

        var fields: [RawField] = []
        fields.reserveCapacity(pairs.count)
        for (index, pair) in pairs.enumerated() where pair.name != charsetName {
            let name = try text(pair.name, in: charset, what: "the name of field #\(index + 1)")
            let value = try text(pair.value, in: charset, what: "field '\(name)'")
            fields.append(RawField(name, value))
        }
        return fields
    }
}

// MARK: - multipart/form-data (RFC 7578, RFC 2046 §5.1.1)

extension FormBody {
    private struct RawPart {
        var headers: [(name: String, value: String)]
        var content: ArraySlice<UInt8>
    }

    private struct Delimiter {
        enum Kind {
            /// A part starts at the offset.
            case open(Int)
            /// `--boundary--`: the end of the parts.
            case close
        }

        /// Where the line break before the delimiter starts: the end of the previous part's content.
        var contentEnd: Int
        var kind: Kind
    }

    static func decodeMultipart(_ body: [UInt8], type: MediaType, files: FilePartPolicy, budget: inout FieldBudget) throws(SourceError) -> [RawField] {
        guard let boundary = type.parameters["boundary"], !boundary.isEmpty else {
            throw .malformed("Content-Type multipart/form-data has no boundary parameter", code: "missing_boundary")
        }
        let parts = try splitMultipart(body, boundary: boundary, budget: &budget)

        // RFC 7578 §4.6: a `_charset_` part names the charset of text parts that do not name their own.
        let hinted = parts.first { formDataName($0) == "_charset_" }.map {
            String(decoding: $0.content, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let formCharset =
            if let label = type.charset {
                try charset(named: label, origin: "the Content-Type")
            } else {
                try charset(named: hinted, origin: "the _charset_ field")
            }

        var fields: [RawField] = []
        for (index, part) in parts.enumerated() {
            let number = index + 1
            guard let disposition = part.headers.first(where: { $0.name == "content-disposition" })?.value else {
                throw .malformed("part #\(number) of the multipart body has no Content-Disposition header", code: "malformed_multipart")
            }
            let (dispositionType, parameters) = headerParameters(disposition)
            let name: String?
            let filename: String?
            do throws(TextDecodingError) {
                name = try parameterValue("name", in: parameters, charset: formCharset)
                filename = try parameterValue("filename", in: parameters, charset: formCharset)
            } catch {
                throw .malformed("the Content-Disposition of part #\(number) cannot be read: \(error)", code: "invalid_encoding")
            }
            guard dispositionType == "form-data", let name else {
                throw .malformed("part #\(number) of the multipart body is not 'form-data' with a name", code: "malformed_multipart")
            }
            if name == "_charset_" { continue }
            if let filename {
                // A file input the person left empty arrives as a part with no file name and no bytes.
                if filename.isEmpty, part.content.isEmpty { continue }
                switch files {
                case .ignore: continue
                case .refuse:
                    throw SourceError(
                        status: 415, code: "file_not_accepted",
                        message: "part '\(name)' carries a file ('\(filename)') and this source takes no files", authenticated: true)
                }
            }
            let partType = part.headers.first { $0.name == "content-type" }.flatMap { MediaType(parsing: $0.value) }
            let partCharset =
                if let label = partType?.charset {
                    try charset(named: label, origin: "the Content-Type of part '\(name)'")
                } else {
                    formCharset
                }
            fields.append(RawField(name, try text(part.content, in: partCharset, what: "field '\(name)'")))
        }
        return fields
    }

    /// The parts between the delimiters, each with its headers parsed; CRLF and bare LF line ends both work.
    private static func splitMultipart(_ body: [UInt8], boundary: String, budget: inout FieldBudget) throws(SourceError) -> [RawPart] {
        let dashBoundary = Array("--\(boundary)".utf8)
        guard var delimiter = nextDelimiter(in: body, from: 0, dashBoundary) else {
            throw .malformed("no line of the multipart body is the boundary '--\(boundary)' from the Content-Type", code: "boundary_not_found")
        }
        var parts: [RawPart] = []
        while case .open(let start) = delimiter.kind {
            try budget.take()
            guard let next = nextDelimiter(in: body, from: start, dashBoundary) else {
                throw .malformed(
                    "the multipart body ends inside part #\(parts.count + 1), without the closing boundary '--\(boundary)--'",
                    code: "unterminated_multipart")
            }
            parts.append(try splitPart(body[start..<max(start, next.contentEnd)], number: parts.count + 1))
            delimiter = next
        }
        return parts
    }

    /// The first delimiter line at or after `from`, which must be a line start. A line that only begins with
    /// the boundary (`--boundaryX`) is content, not a delimiter; so is one at the very end of the body.
    private static func nextDelimiter(in body: [UInt8], from: Int, _ dashBoundary: [UInt8]) -> Delimiter? {
        var lineStart = from
        while lineStart < body.endIndex {
            if body[lineStart...].starts(with: dashBoundary), let kind = delimiterKind(body, after: lineStart + dashBoundary.count) {
                var contentEnd = lineStart
                if contentEnd > 0, body[contentEnd - 1] == lineFeed {
                    contentEnd -= 1
                    if contentEnd > 0, body[contentEnd - 1] == carriageReturn { contentEnd -= 1 }
                }
                return Delimiter(contentEnd: contentEnd, kind: kind)
            }
            guard let lineEnd = body[lineStart...].firstIndex(of: lineFeed) else { return nil }
            lineStart = lineEnd + 1
        }
        return nil
    }

    private static func delimiterKind(_ body: [UInt8], after index: Int) -> Delimiter.Kind? {
        if body[index...].starts(with: [UInt8(ascii: "-"), UInt8(ascii: "-")]) { return .close }
        var index = index
        // RFC 2046 allows spaces and tabs ("transport padding") between the boundary and the line end.
        while index < body.endIndex, body[index] == UInt8(ascii: " ") || body[index] == UInt8(ascii: "\t") { index += 1 }
        if body[index...].starts(with: [lineFeed]) { return .open(index + 1) }
        if body[index...].starts(with: [carriageReturn, lineFeed]) { return .open(index + 2) }
        return nil
    }

    /// Splits one part at the blank line after its headers.
    private static func splitPart(_ part: ArraySlice<UInt8>, number: Int) throws(SourceError) -> RawPart {
        var lineStart = part.startIndex
        while lineStart < part.endIndex {
            if part[lineStart] == lineFeed {
                return RawPart(headers: headerFields(part[..<lineStart]), content: part[(lineStart + 1)...])
            }
            if part[lineStart...].starts(with: [carriageReturn, lineFeed]) {
                return RawPart(headers: headerFields(part[..<lineStart]), content: part[(lineStart + 2)...])
            }
            guard let lineEnd = part[lineStart...].firstIndex(of: lineFeed) else { break }
            lineStart = lineEnd + 1
        }
        // Headers ending in a line break right before the delimiter: an empty value from a sender that left out the blank line.
        if lineStart == part.endIndex {
            return RawPart(headers: headerFields(part), content: part[part.endIndex...])
        }
        throw .malformed("part #\(number) of the multipart body has no blank line after its headers", code: "malformed_multipart")
    }

    /// Header fields with lower-cased names; values keep their bytes as Latin-1 scalars until a charset is known.
    private static func headerFields(_ bytes: ArraySlice<UInt8>) -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        for rawLine in bytes.split(separator: lineFeed) {
            let line = rawLine.last == carriageReturn ? rawLine.dropLast() : rawLine
            guard let first = line.first else { continue }
            if first == UInt8(ascii: " ") || first == UInt8(ascii: "\t"), !fields.isEmpty {
                fields[fields.count - 1].value += " " + latin1(line).trimmingCharacters(in: .whitespaces)
                continue
            }
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else { continue }
            fields.append(
                (latin1(line[..<colon]).trimmingCharacters(in: .whitespaces).lowercased(),
                 latin1(line[(colon + 1)...]).trimmingCharacters(in: .whitespaces)))
        }
        return fields
    }

    private static func formDataName(_ part: RawPart) -> String? {
        guard let disposition = part.headers.first(where: { $0.name == "content-disposition" })?.value else { return nil }
        return headerParameters(disposition).parameters.first { $0.name == "name" }?.value
    }

    /// A header value's leading token (lower-cased) and its `name=value` parameters, names lower-cased, quoted
    /// strings unquoted. Only `\"` and `\\` are escapes: browsers send Windows paths with bare backslashes.
    private static func headerParameters(_ value: String) -> (token: String, parameters: [(name: String, value: String)]) {
        let scalars = Array(value.unicodeScalars)
        var index = 0
        func read(until stops: Set<Unicode.Scalar>) -> String {
            var out = String.UnicodeScalarView()
            while index < scalars.count, !stops.contains(scalars[index]) {
                out.append(scalars[index])
                index += 1
            }
            return String(out).trimmingCharacters(in: .whitespaces)
        }
        let token = read(until: [";"]).lowercased()
        var parameters: [(name: String, value: String)] = []
        while index < scalars.count {
            index += 1  // past ";"
            let name = read(until: ["=", ";"]).lowercased()
            guard index < scalars.count, scalars[index] == "=" else {
                continue
            }
            index += 1
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            var parameter: String
            if index < scalars.count, scalars[index] == "\"" {
                index += 1
                var out = String.UnicodeScalarView()
                while index < scalars.count, scalars[index] != "\"" {
                    if scalars[index] == "\\", index + 1 < scalars.count, scalars[index + 1] == "\"" || scalars[index + 1] == "\\" {
                        index += 1
                    }
                    out.append(scalars[index])
                    index += 1
                }
                parameter = String(out)
                _ = read(until: [";"])  // anything after the closing quote
            } else {
                parameter = read(until: [";"])
            }
            if !name.isEmpty { parameters.append((name, parameter)) }
        }
        return (token, parameters)
    }

    /// The value of parameter `name`, preferring its RFC 2231 / RFC 5987 form (`name*=UTF-8''...`, or the
    /// continuations `name*0`, `name*1*`, ...) over the plain one; plain values are in `charset`.
    private static func parameterValue(
        _ name: String, in parameters: [(name: String, value: String)], charset: Charset
    ) throws(TextDecodingError) -> String? {
        var plain: String?
        var sections: [(number: Int, extended: Bool, value: String)] = []
        for parameter in parameters {
            if parameter.name == name {
                plain = plain ?? parameter.value
                continue
            }
            guard parameter.name.hasPrefix(name + "*") else { continue }
            var suffix = parameter.name.dropFirst(name.count + 1)
            if suffix.isEmpty {
                sections.append((0, true, parameter.value))
                continue
            }
            let extended = suffix.hasSuffix("*")
            if extended { suffix = suffix.dropLast() }
            if let number = Int(suffix) { sections.append((number, extended, parameter.value)) }
        }
        guard !sections.isEmpty else {
            return try plain.map { plain throws(TextDecodingError) in try charset.decode(latin1Bytes(plain)).text }
        }
        sections.sort { $0.number < $1.number }
        var declared = charset
        var bytes: [UInt8] = []
        for (position, section) in sections.enumerated() {
            var value = Substring(section.value)
            if section.extended, position == 0 {
                // charset'language'percent-encoded
                let pieces = value.split(separator: "'", maxSplits: 2, omittingEmptySubsequences: false)
                if pieces.count == 3 {
                    if !pieces[0].isEmpty {
                        guard let named = Charset(label: String(pieces[0])) else {
                            throw TextDecodingError(.unknownCharset, charset: String(pieces[0]))
                        }
                        declared = named
                    }
                    value = pieces[2]
                }
            }
            let raw = latin1Bytes(value)
            bytes += section.extended ? Hex.unescaped(raw[...], escape: UInt8(ascii: "%")) : raw
        }
        return try declared.decode(bytes).text
    }

    private static func latin1(_ bytes: some Sequence<UInt8>) -> String {
        var scalars = String.UnicodeScalarView()
        scalars.append(contentsOf: bytes.map { Unicode.Scalar($0) })
        return String(scalars)
    }

    private static func latin1Bytes(_ text: some StringProtocol) -> [UInt8] {
        text.unicodeScalars.map { UInt8(truncatingIfNeeded: $0.value) }
    }
}

// MARK: - application/json

extension FormBody {
    static func decodeJSON(_ body: [UInt8], charsetLabel: String?, path: JSONPath?, budget: inout FieldBudget) throws(SourceError) -> [FormSubmission] {
        let charset = try charset(named: charsetLabel, origin: "the Content-Type")
        let bytes: [UInt8]
        var start = 0
        if charset == .utf8 {
            // Validated here so the parser can take string bytes as they are; offsets stay those of the body.
            _ = try text(body, in: .utf8, what: "the JSON body")
            bytes = body
            if body.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        } else {
            // RFC 8259 wants UTF-8; a sender that says otherwise is transcoded (offsets in messages are then of the UTF-8).
            bytes = Array(try text(body, in: charset, what: "the JSON body").utf8)
        }

        let root: JSONValue
        do throws(JSONParser.SyntaxError) {
            root = try JSONParser.parse(bytes, from: start)
        } catch {
            throw .malformed("invalid JSON at byte \(error.offset): \(error.message)", code: "invalid_json")
        }
        let (selected, location) = try select(path, in: root)
        let hint = path == nil ? " (json_path says where the fields are)" : ""
        switch selected {
        case .object(let members):
            return [FormSubmission(fields: try flatten(members, budget: &budget))]
        case .array(let elements):
            var submissions: [FormSubmission] = []
            submissions.reserveCapacity(elements.count)
            for (index, element) in elements.enumerated() {
                guard case .object(let members) = element.value else {
                    throw .malformed(
                        "element \(index) of \(location) is \(element.value.kindName); each submission must be an object\(hint)",
                        code: "unexpected_json")
                }
                submissions.append(FormSubmission(fields: try flatten(members, budget: &budget), rawPayload: Array(bytes[element.range])))
            }
            return submissions
        default:
            throw .malformed("\(location) is \(selected.kindName), not an object of fields\(hint)", code: "unexpected_json")
        }
    }

    /// The value at `path` and how to name it in messages.
    private static func select(_ path: JSONPath?, in root: JSONValue) throws(SourceError) -> (JSONValue, String) {
        var node = root
        var walked: [String] = []
        for segment in path?.segments ?? [] {
            let here = walked.isEmpty ? "the top level" : "'\(walked.joined(separator: "."))'"
            func notFound(_ reason: String) -> SourceError {
                .malformed("json_path '\(path?.description ?? "")' not found: \(reason)", code: "json_path_not_found")
            }
            switch node {
            case .object(let members):
                guard let member = members.first(where: { $0.key == segment }) else { throw notFound("\(here) has no key '\(segment)'") }
                node = member.value
            case .array(let elements):
                guard let index = Int(segment), elements.indices.contains(index) else {
                    throw notFound("\(here) is an array of \(elements.count), with no element '\(segment)'")
                }
                node = elements[index].value
            default:
                throw notFound("\(here) is \(node.kindName), not an object or array")
            }
            walked.append(segment)
        }
        return (node, walked.isEmpty ? "the JSON body" : "'\(walked.joined(separator: "."))'")
    }

    /// One object's fields: nested objects as dotted keys, arrays of scalars joined with ", ", other arrays by index; nulls left out.
    private static func flatten(_ members: [(key: String, value: JSONValue)], budget: inout FieldBudget) throws(SourceError) -> [RawField] {
        var fields: [RawField] = []
        for member in members {
            try flatten(member.value, key: member.key, into: &fields, budget: &budget)
        }
        if fields.isEmpty { try budget.take() }
        return fields
    }

    private static func flatten(_ value: JSONValue, key: String, into fields: inout [RawField], budget: inout FieldBudget) throws(SourceError) {
        switch value {
        case .null:
            return
        case .object(let members):
            for member in members {
                try flatten(member.value, key: "\(key).\(member.key)", into: &fields, budget: &budget)
            }
        case .array(let elements):
            if elements.allSatisfy({ $0.value.isScalar }) {
                let texts = elements.compactMap(\.value.scalarText)
                guard !texts.isEmpty else { return }
                try budget.take()
                fields.append(RawField(key, texts.joined(separator: ", ")))
            } else {
                for (index, element) in elements.enumerated() {
                    try flatten(element.value, key: "\(key).\(index)", into: &fields, budget: &budget)
                }
            }
        case .string, .number, .bool:
            try budget.take()
            fields.append(RawField(key, value.scalarText ?? ""))
        }
    }
}
