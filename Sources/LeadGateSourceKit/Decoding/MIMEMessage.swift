import Foundation

/// Bounds that keep a hostile message cheap to read; past them the parser stops descending and says so in
/// `MIMEMessage.warnings` rather than failing.
public struct MIMELimits: Sendable, Hashable {
    /// Deepest nesting of multiparts and encapsulated messages that is opened.
    public var maxDepth: Int
    /// Most parts read; the rest of the message is left unread.
    public var maxParts: Int
    /// Most header fields kept per entity.
    public var maxHeaderFields: Int

    public init(maxDepth: Int = 20, maxParts: Int = 1_000, maxHeaderFields: Int = 1_000) {
        self.maxDepth = maxDepth
        self.maxParts = maxParts
        self.maxHeaderFields = maxHeaderFields
    }
}

/// A message that cannot be read as mail at all (no header fields).
public struct MIMEError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// One entity of a message: the message itself, a part of a multipart, or an encapsulated message.
/// Holds ranges into `MIMEMessage.bytes`, never a copy of its content.
public struct MIMEPart: Sendable {
    public let headers: MIMEHeaders
    /// From `Content-Type`; `text/plain` when absent or unreadable (`message/rfc822` inside `multipart/digest`).
    public let contentType: MediaType
    /// `Content-Disposition`, when present.
    public let disposition: MIMEParameterizedValue?
    /// `Content-Transfer-Encoding`, lower-cased; `7bit` when absent.
    public let transferEncoding: String
    /// 0 for the message, 1 for its parts, and so on.
    public let depth: Int
    /// Index of the enclosing entity in `MIMEMessage.parts`.
    public let parent: Int?
    /// Indices of the entity's parts in `MIMEMessage.parts`, in order.
    public internal(set) var children: [Int] = []
    /// The whole entity, headers included.
    public internal(set) var range: Range<Int>
    /// The body: after the blank line that ends the headers, up to the line break before the next delimiter.
    public internal(set) var bodyRange: Range<Int>

    /// The file name from `Content-Disposition`, or the older `name` parameter of `Content-Type`.
    public var filename: String? { disposition?.parameters["filename"] ?? contentType.parameters["name"] }

    /// A part meant to be saved rather than read: disposition `attachment`, or a file name in its disposition.
    public var isAttachment: Bool { disposition?.token == "attachment" || disposition?.parameters["filename"] != nil }
}

/// The text of a message's body, by kind, ready for reading fields out of it.
public struct MIMEBodyText: Sendable, Hashable {
    /// Every inline `text/plain` part, in order, joined by a blank line; nil when there is none.
    public var plain: String?
    /// Every inline `text/html` part, as HTML; nil when there is none.
    public var html: String?
    /// What decoding had to patch (unknown charsets, invalid bytes).
    public var warnings: [String]

    public init(plain: String?, html: String?, warnings: [String] = []) {
        self.plain = plain
        self.html = html
        self.warnings = warnings
    }
}

/// A MIME message (RFC 2045-2049, RFC 5322) parsed in one linear pass over one byte buffer.
///
/// Parts are found by their boundaries as senders really write them: quoted or not, with trailing whitespace
/// on delimiter lines, CRLF or bare LF, preamble and epilogue, a missing final boundary (tolerated with a
/// warning) and a part left open by an outer boundary. Only the entity structure is built; bodies stay
/// ranges of `bytes`, and `text(of:)` decodes the text parts asked for, so attachments are sized, never copied.
public struct MIMEMessage: Sendable {
    /// The buffer every range points into (shared with the caller's array, not copied).
    public let bytes: [UInt8]
    /// Every entity in document order; `parts[0]` is the message itself.
    public let parts: [MIMEPart]
    /// Structural problems that were worked around.
    public let warnings: [String]

    /// Parses the message in `bytes[range]` (all of `bytes` by default). A leading mbox `From ` line is
    /// skipped. Throws when there is no header field at all: whatever that is, it is not mail.
    public init(parsing bytes: [UInt8], in range: Range<Int>? = nil, limits: MIMELimits = MIMELimits()) throws(MIMEError) {
        let range = (range ?? bytes.indices).clamped(to: bytes.indices)
        guard !range.isEmpty else { throw MIMEError("the message is empty") }
        var start = range.lowerBound
        if bytes[range].starts(with: "From ".utf8), let lineEnd = bytes[range].firstIndex(of: MIMEByte.lf) {
            start = lineEnd + 1
        }
        let parsed = MIMEMessage.parse(bytes, start: start, end: range.upperBound, givenType: nil, limits: limits)
        self.bytes = bytes
        parts = parsed.parts
        warnings = parsed.warnings
        guard !parts[0].headers.fields.isEmpty else {
            throw MIMEError("the message has no header fields (the first line is not 'Name: value')")
        }
    }

    /// Parses a body whose media type came from elsewhere, e.g. a `multipart/form-data` HTTP body with the
    /// request's `Content-Type`: `parts[0]` has no headers and `contentType` as its type.
    public init(parsingBody bytes: [UInt8], in range: Range<Int>? = nil, contentType: MediaType, limits: MIMELimits = MIMELimits()) {
        let range = (range ?? bytes.indices).clamped(to: bytes.indices)
        let parsed = MIMEMessage.parse(bytes, start: range.lowerBound, end: range.upperBound, givenType: contentType, limits: limits)
        self.bytes = bytes
        parts = parsed.parts
        warnings = parsed.warnings
    }

    /// The message's own header fields.
    public var headers: MIMEHeaders { parts[0].headers }

    /// The charset of the first text part that names one: the best guess for raw 8-bit bytes in headers.
    public var bodyCharset: Charset? {
        parts.lazy.compactMap { part in
            part.contentType.essence.hasPrefix("text/") ? part.contentType.charset.flatMap(Charset.init(label:)) : nil
        }.first
    }

    /// A header of the message as text (encoded words decoded, raw 8-bit bytes read in `bodyCharset` when not UTF-8).
    public func headerText(_ name: String) -> String? {
        headerValue(name).map { MIMEEncodedWord.decode($0).text }
    }

    /// A header of the message unfolded, encoded words kept (for address fields).
    public func headerValue(_ name: String) -> String? {
        headers.field(named: name).map { headers.rawValue(of: $0) { bodyCharset } }
    }

    /// `part`'s body with its transfer encoding undone: a copy, so only for parts that are read.
    public func decodedBody(of part: MIMEPart) -> [UInt8] {
        MIMETransferEncoding.decode(bytes[part.bodyRange], encoding: part.transferEncoding)
    }

    /// `part`'s body as text, line ends as `\n`. Never fails: an unknown or lying charset gives U+FFFD and a
    /// warning; bytes with no charset (or `us-ascii`) are read as UTF-8 when valid, else as windows-1252.
    public func text(of part: MIMEPart) -> DecodedText {
        var warnings: [String] = []
        if !MIMEMessage.knownEncodings.contains(part.transferEncoding) {
            warnings.append("unknown Content-Transfer-Encoding '\(part.transferEncoding)', read as is")
        }
        var body = decodedBody(of: part)
        let label = part.contentType.charset
        let declared = label.flatMap { MIMEMessage.asciiLabels.contains($0) ? nil : $0 }
        let charset = declared.flatMap(Charset.init(label:))
        // CRLF to LF on the bytes, where it is cheapest; UTF-16 text has its own line ends and is done after decoding.
        let wide = charset?.name.hasPrefix("utf-16") == true
        if !wide { MIMEMessage.removeCarriageReturns(&body) }
        var decoded: DecodedText
        if let charset {
            do {
                decoded = try charset.decode(body, mode: .lenient)
            } catch {
                decoded = DecodedText(text: String(decoding: body, as: UTF8.self), warnings: ["\(error); read as UTF-8"])
            }
        } else if let declared {
            decoded = DecodedText(text: String(decoding: body, as: UTF8.self), warnings: ["unknown charset '\(declared)', read as UTF-8"])
        } else if body.allSatisfy({ $0 < 0x80 }) {
            decoded = DecodedText(text: String(decoding: body, as: UTF8.self))
        } else if let text = String(validating: body, as: UTF8.self) {
            decoded = DecodedText(text: text, warnings: ["8-bit text labelled \(label ?? "with no charset") read as UTF-8"])
        } else {
            decoded = (try? MIMEByte.westernFallback.decode(body, mode: .lenient)) ?? DecodedText(text: String(decoding: body, as: UTF8.self))
            decoded.warnings.insert("8-bit text labelled \(label ?? "with no charset") read as windows-1252", at: 0)
        }
        return DecodedText(text: wide ? MIMEMessage.unixLineEnds(decoded.text) : decoded.text, warnings: warnings + decoded.warnings)
    }

    /// The readable body: inline text parts that are not attachments, in document order, plain and HTML apart
    /// (a `multipart/alternative` gives one of each). Encapsulated messages (`message/rfc822`) count too.
    public func bodyText() -> MIMEBodyText {
        var plain: [String] = []
        var html: [String] = []
        var warnings: [String] = []
        for part in parts where part.children.isEmpty && !part.isAttachment {
            let essence = part.contentType.essence
            guard essence == "text/plain" || essence == "text/html" else { continue }
            let decoded = text(of: part)
            warnings += decoded.warnings
            if essence == "text/plain" { plain.append(decoded.text) } else { html.append(decoded.text) }
        }
        return MIMEBodyText(
            plain: plain.isEmpty ? nil : plain.joined(separator: "\n\n"), html: html.isEmpty ? nil : html.joined(separator: "\n"),
            warnings: warnings)
    }

    private static let knownEncodings: Set<String> = ["7bit", "8bit", "binary", "base64", "quoted-printable"]
    private static let asciiLabels: Set<String> = ["us-ascii", "ascii", "ansi_x3.4-1968", "iso646-us", "us"]

    /// `text` with CRLF and lone CR as LF.
    static func unixLineEnds(_ text: String) -> String {
        guard text.utf8.contains(MIMEByte.cr) else { return text }
        var bytes = Array(text.utf8)
        removeCarriageReturns(&bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// CRLF to LF and a lone CR to LF, in place, in bytes of an ASCII-compatible charset.
    static func removeCarriageReturns(_ bytes: inout [UInt8]) {
        guard let first = bytes.firstIndex(of: MIMEByte.cr) else { return }
        let count = bytes.withUnsafeMutableBufferPointer { buffer in
            var write = first
            var read = first
            while read < buffer.count {
                let byte = buffer[read]
                read += 1
                if byte == MIMEByte.cr {
                    buffer[write] = MIMEByte.lf
                    if read < buffer.count, buffer[read] == MIMEByte.lf { read += 1 }
                } else {
                    buffer[write] = byte
                }
                write += 1
            }
            return write
        }
        bytes.removeSubrange(count...)
    }

    private static func parse(
        _ bytes: [UInt8], start: Int, end: Int, givenType: MediaType?, limits: MIMELimits
    ) -> (parts: [MIMEPart], warnings: [String]) {
        bytes.withUnsafeBufferPointer { buffer in
            var parser = MIMEStructureParser(buffer: buffer, bytes: bytes, start: start, end: end, limits: limits)
            parser.run(givenType: givenType)
            return (parser.parts, parser.warnings)
        }
    }
}

/// The single pass: lines are scanned once; a stack of open multiparts (`frames`) says which boundaries can
/// end the current part, innermost first, so an outer boundary also closes parts left open inside it.
private struct MIMEStructureParser {
    let buffer: UnsafeBufferPointer<UInt8>
    let bytes: [UInt8]
    let start: Int
    let end: Int
    let limits: MIMELimits
    var parts: [MIMEPart] = []
    var warnings: [String] = []
    /// Open multiparts: their boundary and their index in `parts`.
    var frames: [(boundary: [UInt8], container: Int)] = []
    /// The entities not yet ended, outermost first.
    var openPath: [Int] = []

    static let textPlain = MediaType(essence: "text/plain")
    static let messageRFC822 = MediaType(essence: "message/rfc822")

    init(buffer: UnsafeBufferPointer<UInt8>, bytes: [UInt8], start: Int, end: Int, limits: MIMELimits) {
        self.buffer = buffer
        self.bytes = bytes
        self.start = start
        self.end = end
        self.limits = limits
    }

    mutating func run(givenType: MediaType?) {
        var cursor = entity(at: start, depth: 0, parent: nil, givenType: givenType, defaultType: Self.textPlain)
        while cursor < end, !frames.isEmpty {
            guard buffer[cursor] == MIMEByte.dash, let delimiter = matchDelimiter(at: cursor) else {
                let lineEnd = MIMEByte.lineEnd(buffer, from: cursor, to: end)
                cursor = lineEnd < end ? lineEnd + 1 : end
                continue
            }
            let container = frames[delimiter.frame].container
            close(deeperThan: container, at: lineBreakStart(before: cursor), frame: delimiter.frame)
            cursor = delimiter.next
            if delimiter.isClose {
                frames.removeLast()
                continue
            }
            guard parts.count < limits.maxParts else {
                warnings.append("the message has more than \(limits.maxParts) parts; the rest is not read")
                frames.removeAll()
                break
            }
            let digest = parts[container].contentType.essence == "multipart/digest"
            cursor = entity(
                at: cursor, depth: parts[container].depth + 1, parent: container, givenType: nil,
                defaultType: digest ? Self.messageRFC822 : Self.textPlain)
        }
        for frame in frames {
            warnings.append("\(parts[frame.container].contentType.essence) has no closing boundary '--\(String(decoding: frame.boundary, as: UTF8.self))--'")
        }
        for index in openPath { finish(index, at: end) }
    }

    /// Reads one entity's headers at `position` and registers it; returns where scanning goes on.
    private mutating func entity(at position: Int, depth: Int, parent: Int?, givenType: MediaType?, defaultType: MediaType) -> Int {
        var headers = MIMEHeaders.empty
        var bodyStart = position
        if givenType == nil {
            let block = MIMEHeaders.parseBlock(buffer, from: position, to: end, maxFields: limits.maxHeaderFields) { matchDelimiter(at: $0) != nil }
            headers = MIMEHeaders(bytes: bytes, fields: block.fields)
            bodyStart = block.bodyStart
            if block.truncated { warnings.append("an entity has more than \(limits.maxHeaderFields) header fields; the rest are ignored") }
            if block.ending == .missingBlankLine, depth > 0 || !block.fields.isEmpty {
                warnings.append("the headers of part \(parts.count) end without a blank line")
            }
        }
        var contentType = givenType ?? defaultType
        if let raw = headers.rawValue("content-type") {
            let value = MIMEParameterizedValue(parsing: raw)
            let pieces = value.token.split(separator: "/", omittingEmptySubsequences: false)
            if pieces.count == 2, !pieces[0].isEmpty, !pieces[1].isEmpty {
                contentType = MediaType(essence: value.token, parameters: value.parameters)
            } else {
                warnings.append("Content-Type '\(raw.prefix(80))' of part \(parts.count) is not a media type; read as \(defaultType.essence)")
            }
        }
        // A token, sometimes with a comment or junk after it: `base64 (encoded)`.
        let encoding =
            headers.rawValue("content-transfer-encoding").map { $0.prefix { !$0.isWhitespace && $0 != "(" && $0 != ";" }.lowercased() } ?? "7bit"
        let disposition = headers.rawValue("content-disposition").map(MIMEParameterizedValue.init(parsing:))
        let index = parts.count
        parts.append(
            MIMEPart(
                headers: headers, contentType: contentType, disposition: disposition, transferEncoding: encoding.isEmpty ? "7bit" : encoding,
                depth: depth, parent: parent, range: position..<end, bodyRange: bodyStart..<end))
        if let parent { parts[parent].children.append(index) }
        openPath.append(index)

        let essence = contentType.essence
        if essence.hasPrefix("multipart/") {
            guard depth < limits.maxDepth else {
                warnings.append("parts nested deeper than \(limits.maxDepth) levels are not read")
                return bodyStart
            }
            var boundary = Array((contentType.parameters["boundary"] ?? "").utf8)
            while let last = boundary.last, MIMEByte.isBlank(last) { boundary.removeLast() }
            guard !boundary.isEmpty else {
                warnings.append("\(essence) of part \(index) has no boundary parameter; its parts are not read")
                return bodyStart
            }
            frames.append((boundary, index))
        } else if essence == "message/rfc822" || essence == "message/global", ["7bit", "8bit", "binary"].contains(encoding),
            depth < limits.maxDepth, parts.count < limits.maxParts
        {
            // Bounded by maxDepth, so this recursion cannot run away.
            return entity(at: bodyStart, depth: depth + 1, parent: index, givenType: nil, defaultType: Self.textPlain)
        }
        return bodyStart
    }

    /// Whether the line at `lineStart` is a delimiter of an open multipart (innermost first), and which.
    private func matchDelimiter(at lineStart: Int) -> (frame: Int, isClose: Bool, next: Int)? {
        guard lineStart + 1 < end, buffer[lineStart] == MIMEByte.dash, buffer[lineStart + 1] == MIMEByte.dash else { return nil }
        var frame = frames.count - 1
        while frame >= 0 {
            defer { frame -= 1 }
            let boundary = frames[frame].boundary
            let after = lineStart + 2 + boundary.count
            guard after <= end else { continue }
            var matches = true
            for (offset, byte) in boundary.enumerated() where buffer[lineStart + 2 + offset] != byte {
                matches = false
                break
            }
            guard matches else { continue }
            if after + 1 < end, buffer[after] == MIMEByte.dash, buffer[after + 1] == MIMEByte.dash {
                let lineEnd = MIMEByte.lineEnd(buffer, from: after, to: end)
                return (frame, true, lineEnd < end ? lineEnd + 1 : end)
            }
            // RFC 2046 §5.1.1: whitespace may follow the boundary on its line.
            var index = after
            while index < end, MIMEByte.isBlank(buffer[index]) { index += 1 }
            if index == end { return (frame, false, end) }
            if buffer[index] == MIMEByte.lf { return (frame, false, index + 1) }
            if buffer[index] == MIMEByte.cr, index + 1 == end || buffer[index + 1] == MIMEByte.lf { return (frame, false, min(end, index + 2)) }
        }
        return nil
    }

    /// Ends every open entity inside `container` at `position`, and drops the frames of multiparts inside it,
    /// which an outer boundary has cut short.
    private mutating func close(deeperThan container: Int, at position: Int, frame: Int) {
        for inner in frames[(frame + 1)...] {
            warnings.append("\(parts[inner.container].contentType.essence) ends without its closing boundary")
        }
        frames.removeLast(frames.count - frame - 1)
        guard let place = openPath.lastIndex(of: container) else { return }
        for index in openPath[(place + 1)...] { finish(index, at: position) }
        openPath.removeLast(openPath.count - place - 1)
    }

    private mutating func finish(_ index: Int, at position: Int) {
        let bodyStart = parts[index].bodyRange.lowerBound
        let bodyEnd = max(bodyStart, position)
        parts[index].bodyRange = bodyStart..<bodyEnd
        parts[index].range = parts[index].range.lowerBound..<bodyEnd
    }

    /// Where the line break before the line at `lineStart` begins: it belongs to the delimiter (RFC 2046 §5.1.1).
    private func lineBreakStart(before lineStart: Int) -> Int {
        var position = lineStart
        if position > start, buffer[position - 1] == MIMEByte.lf {
            position -= 1
            if position > start, buffer[position - 1] == MIMEByte.cr { position -= 1 }
        }
        return position
    }
}
