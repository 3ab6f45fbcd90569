import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A character encoding, found by any of its WHATWG Encoding Standard labels (`utf8`, `latin1`, `cp1255`, ...).
///
/// As in browsers, `iso-8859-1`, `latin1` and `us-ascii` name windows-1252 (its superset), `gb2312` names
/// GBK and both are read as GB18030, and `iso-8859-8-i` is read as iso-8859-8 (the bytes are the same).
public struct Charset: Sendable, Hashable, CustomStringConvertible {
    /// The encoding's name in the Encoding Standard, e.g. `windows-1255`.
    public let name: String
    /// What iconv calls it; nil for UTF-8, which is decoded without iconv.
    let iconvName: String?

    /// UTF-8, the default everywhere.
    public static let utf8 = Charset(name: "utf-8", iconvName: nil)

    private init(name: String, iconvName: String?) {
        self.name = name
        self.iconvName = iconvName
    }

    /// The charset `label` names, ignoring case and surrounding whitespace; nil when the label is unknown.
    public init?(label: String) {
        guard let charset = Charset.byLabel[label.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()] else {
            return nil
        }
        self = charset
    }

    public var description: String { name }

    /// (name, iconv name, labels); labels from the Encoding Standard, https://encoding.spec.whatwg.org/#names-and-labels
    private static let table: [(String, String?, [String])] = [
        ("utf-8", nil, ["unicode-1-1-utf-8", "unicode11utf8", "unicode20utf8", "utf-8", "utf8", "x-unicode20utf8"]),
        ("utf-16le", "UTF-16LE", ["csunicode", "iso-10646-ucs-2", "ucs-2", "unicode", "unicodefeff", "utf-16", "utf-16le"]),
        ("utf-16be", "UTF-16BE", ["unicodefffe", "utf-16be"]),
        ("ibm866", "IBM866", ["866", "cp866", "csibm866", "ibm866"]),
        ("iso-8859-2", "ISO-8859-2", ["csisolatin2", "iso-8859-2", "iso-ir-101", "iso8859-2", "iso88592", "iso_8859-2", "iso_8859-2:1987", "l2", "latin2"]),
        ("iso-8859-3", "ISO-8859-3", ["csisolatin3", "iso-8859-3", "iso-ir-109", "iso8859-3", "iso88593", "iso_8859-3", "iso_8859-3:1988", "l3", "latin3"]),
        ("iso-8859-4", "ISO-8859-4", ["csisolatin4", "iso-8859-4", "iso-ir-110", "iso8859-4", "iso88594", "iso_8859-4", "iso_8859-4:1988", "l4", "latin4"]),
        ("iso-8859-5", "ISO-8859-5", ["csisolatincyrillic", "cyrillic", "iso-8859-5", "iso-ir-144", "iso8859-5", "iso88595", "iso_8859-5", "iso_8859-5:1988"]),
        ("iso-8859-6", "ISO-8859-6", [
            "arabic", "asmo-708", "csiso88596e", "csiso88596i", "csisolatinarabic", "ecma-114", "iso-8859-6", "iso-8859-6-e",
            "iso-8859-6-i", "iso-ir-127", "iso8859-6", "iso88596", "iso_8859-6", "iso_8859-6:1987",
        ]),
        ("iso-8859-7", "ISO-8859-7", [
            "csisolatingreek", "ecma-118", "elot_928", "greek", "greek8", "iso-8859-7", "iso-ir-126", "iso8859-7", "iso88597",
            "iso_8859-7", "iso_8859-7:1987", "sun_eu_greek",
        ]),
        ("iso-8859-8", "ISO-8859-8", [
            "csiso88598e", "csisolatinhebrew", "hebrew", "iso-8859-8", "iso-8859-8-e", "iso-ir-138", "iso8859-8", "iso88598",
            "iso_8859-8", "iso_8859-8:1988", "visual",
        ]),
        ("iso-8859-8-i", "ISO-8859-8", ["csiso88598i", "iso-8859-8-i", "logical"]),
        ("iso-8859-10", "ISO-8859-10", ["csisolatin6", "iso-8859-10", "iso-ir-157", "iso8859-10", "iso885910", "l6", "latin6"]),
        ("iso-8859-13", "ISO-8859-13", ["iso-8859-13", "iso8859-13", "iso885913"]),
        ("iso-8859-14", "ISO-8859-14", ["iso-8859-14", "iso8859-14", "iso885914"]),
        ("iso-8859-15", "ISO-8859-15", ["csisolatin9", "iso-8859-15", "iso8859-15", "iso885915", "iso_8859-15", "l9"]),
        ("iso-8859-16", "ISO-8859-16", ["iso-8859-16"]),
        ("koi8-r", "KOI8-R", ["cskoi8r", "koi", "koi8", "koi8-r", "koi8_r"]),
        ("koi8-u", "KOI8-U", ["koi8-ru", "koi8-u"]),
        ("macintosh", "MACINTOSH", ["csmacintosh", "mac", "macintosh", "x-mac-roman"]),
        ("x-mac-cyrillic", "MAC-CYRILLIC", ["x-mac-cyrillic", "x-mac-ukrainian"]),
        ("windows-874", "CP874", ["dos-874", "iso-8859-11", "iso8859-11", "iso885911", "tis-620", "windows-874"]),
        ("windows-1250", "CP1250", ["cp1250", "windows-1250", "x-cp1250"]),
        ("windows-1251", "CP1251", ["cp1251", "windows-1251", "x-cp1251"]),
        ("windows-1252", "CP1252", [
            "ansi_x3.4-1968", "ascii", "cp1252", "cp819", "csisolatin1", "ibm819", "iso-8859-1", "iso-ir-100", "iso8859-1",
            "iso88591", "iso_8859-1", "iso_8859-1:1987", "l1", "latin1", "us-ascii", "windows-1252", "x-cp1252",
        ]),
        ("windows-1253", "CP1253", ["cp1253", "windows-1253", "x-cp1253"]),
        ("windows-1254", "CP1254", [
            "cp1254", "csisolatin5", "iso-8859-9", "iso-ir-148", "iso8859-9", "iso88599", "iso_8859-9", "iso_8859-9:1989", "l5",
            "latin5", "windows-1254", "x-cp1254",
        ]),
        ("windows-1255", "CP1255", ["cp1255", "windows-1255", "x-cp1255"]),
        ("windows-1256", "CP1256", ["cp1256", "windows-1256", "x-cp1256"]),
        ("windows-1257", "CP1257", ["cp1257", "windows-1257", "x-cp1257"]),
        ("windows-1258", "CP1258", ["cp1258", "windows-1258", "x-cp1258"]),
        ("gbk", "GB18030", ["chinese", "csgb2312", "csiso58gb231280", "gb2312", "gb_2312", "gb_2312-80", "gbk", "iso-ir-58", "x-gbk"]),
        ("gb18030", "GB18030", ["gb18030"]),
        ("big5", "BIG5-HKSCS", ["big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5"]),
        ("euc-jp", "EUC-JP", ["cseucpkdfmtjapanese", "euc-jp", "x-euc-jp"]),
        ("iso-2022-jp", "ISO-2022-JP", ["csiso2022jp", "iso-2022-jp"]),
        ("shift_jis", "WINDOWS-31J", ["csshiftjis", "ms932", "ms_kanji", "shift-jis", "shift_jis", "sjis", "windows-31j", "x-sjis"]),
        ("euc-kr", "CP949", [
            "cseuckr", "csksc56011987", "euc-kr", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601", "ksc_5601",
            "windows-949",
        ]),
    ]

    private static let byLabel: [String: Charset] = {
        var byLabel: [String: Charset] = [:]
        for (name, iconvName, labels) in table {
            for label in labels { byLabel[label] = Charset(name: name, iconvName: iconvName) }
        }
        return byLabel
    }()
}

/// How decoding treats bytes that are not valid in their charset.
public enum DecodingMode: Sendable, Hashable {
    /// Fail at the first invalid byte.
    case strict
    /// Replace invalid bytes with U+FFFD and say so in `DecodedText.warnings`.
    case lenient
}

/// Text decoded from bytes, and what lenient decoding had to patch to get it.
public struct DecodedText: Sendable, Hashable {
    public var text: String
    /// Empty unless lenient decoding replaced bytes or read an unknown charset as UTF-8.
    public var warnings: [String]

    public init(text: String, warnings: [String] = []) {
        self.text = text
        self.warnings = warnings
    }
}

/// Why bytes could not be decoded as text.
public struct TextDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong.
    public enum Reason: Sendable, Hashable {
        /// The label names no charset LeadGate knows (or the system's iconv lacks it).
        case unknownCharset
        /// A byte sequence is not valid in the charset.
        case invalidBytes
    }

    public var reason: Reason
    /// The charset's name, or the label as given when it is unknown.
    public var charset: String
    /// Offset of the first invalid byte in the input, for `.invalidBytes`.
    public var offset: Int?

    public init(_ reason: Reason, charset: String, offset: Int? = nil) {
        self.reason = reason
        self.charset = charset
        self.offset = offset
    }

    public var description: String {
        switch reason {
        case .unknownCharset: "unknown charset '\(charset)'"
        case .invalidBytes: "invalid \(charset) at byte \(offset ?? 0)"
        }
    }
}

extension Charset {
    /// Decodes `bytes` in this charset. A leading byte-order mark of UTF-8 or UTF-16 is dropped; for UTF-16 it
    /// also decides the byte order, whatever the label said (as browsers do).
    public func decode(_ bytes: some Collection<UInt8>, mode: DecodingMode = .strict) throws(TextDecodingError) -> DecodedText {
        let outcome =
            bytes.withContiguousStorageIfAvailable { decode(buffer: $0, mode: mode) }
            ?? Array(bytes).withUnsafeBufferPointer { decode(buffer: $0, mode: mode) }
        return try outcome.get()
    }

    /// Decodes `bytes` in the charset `label` names (nil: UTF-8). An unknown label fails in strict mode; in
    /// lenient mode the bytes are read as UTF-8 and a warning says so.
    public static func decode(
        _ bytes: some Collection<UInt8>, label: String?, mode: DecodingMode = .strict
    ) throws(TextDecodingError) -> DecodedText {
        guard let label else { return try utf8.decode(bytes, mode: mode) }
        if let charset = Charset(label: label) { return try charset.decode(bytes, mode: mode) }
        guard mode == .lenient else { throw TextDecodingError(.unknownCharset, charset: label) }
        var decoded = try utf8.decode(bytes, mode: .lenient)
        decoded.warnings.insert("unknown charset '\(label)', read as UTF-8", at: 0)
        return decoded
    }

    private func decode(buffer: UnsafeBufferPointer<UInt8>, mode: DecodingMode) -> Result<DecodedText, TextDecodingError> {
        var input = buffer[...]
        var iconvName = self.iconvName
        if iconvName == nil, input.starts(with: [0xEF, 0xBB, 0xBF]) {
            input = input.dropFirst(3)
        } else if name == "utf-16le" || name == "utf-16be" {
            if input.starts(with: [0xFF, 0xFE]) {
                input = input.dropFirst(2)
                iconvName = "UTF-16LE"
            } else if input.starts(with: [0xFE, 0xFF]) {
                input = input.dropFirst(2)
                iconvName = "UTF-16BE"
            }
        }
        let skipped = input.startIndex
        let rest = UnsafeBufferPointer(rebasing: input)
        let outcome =
            if let iconvName {
                Charset.decodeWithIconv(rest, from: iconvName, name: name, mode: mode)
            } else {
                Charset.decodeUTF8(rest, mode: mode)
            }
        // Offsets count from the caller's first byte, byte-order mark included.
        return outcome.mapError { error in
            var error = error
            error.offset = error.offset.map { $0 + skipped }
            return error
        }
    }

    private static func decodeUTF8(_ buffer: UnsafeBufferPointer<UInt8>, mode: DecodingMode) -> Result<DecodedText, TextDecodingError> {
        if let text = String(validating: buffer, as: UTF8.self) { return .success(DecodedText(text: text)) }
        let offset = firstInvalidUTF8Offset(buffer)
        switch mode {
        case .strict:
            return .failure(TextDecodingError(.invalidBytes, charset: "utf-8", offset: offset))
        case .lenient:
            let text = String(decoding: buffer, as: UTF8.self)
            return .success(DecodedText(text: text, warnings: ["invalid utf-8 replaced with U+FFFD (first at byte \(offset))"]))
        }
    }

    private static func firstInvalidUTF8Offset(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = buffer.makeIterator()
        var offset = 0
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded): offset += encoded.count
            case .error, .emptyInput: return offset
            }
        }
    }

    /// glibc's CP1255 composes a letter and its points into Hebrew presentation forms (U+FB1D-FB4F), which
    /// windows-1255 cannot hold itself; they are split back so the text is what the sender typed.
    private static func undoPresentationForms(_ text: String) -> String {
        let presentationForms: ClosedRange<UInt32> = 0xFB1D...0xFB4F
        guard text.unicodeScalars.contains(where: { presentationForms.contains($0.value) }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if presentationForms.contains(scalar.value) {
                scalars.append(contentsOf: String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars)
            } else {
                scalars.append(scalar)
            }
        }
        return String(scalars)
    }

    private static func decodeWithIconv(
        _ buffer: UnsafeBufferPointer<UInt8>, from iconvName: String, name: String, mode: DecodingMode
    ) -> Result<DecodedText, TextDecodingError> {
        guard let base = buffer.baseAddress, !buffer.isEmpty else { return .success(DecodedText(text: "")) }
        // One converter per call: iconv_t holds conversion state and must not be shared between threads.
        let converter = iconv_open("UTF-8", iconvName)
        guard let converter, Int(bitPattern: converter) != -1 else {
            return .failure(TextDecodingError(.unknownCharset, charset: name))
        }
        defer { iconv_close(converter) }

        var output: [UInt8] = []
        output.reserveCapacity(buffer.count * 2)
        var chunk = [UInt8](repeating: 0, count: min(max(buffer.count * 3, 64), 1 << 16))
        // iconv takes char*; UInt8 and CChar may alias (signed and unsigned variants of one integer type).
        var inputPointer: UnsafeMutablePointer<CChar>? = UnsafeMutableRawPointer(mutating: base).assumingMemoryBound(to: CChar.self)
        var inputLeft = buffer.count
        var replaced = 0
        var firstInvalid: Int?

        /// Converts until iconv stops for a reason other than a full chunk; true when it stopped at a bad byte.
        /// With `flush`, converters that hold a character back (CP1255 waits for combining marks) give it up.
        func convert(flush: Bool) -> Bool {
            while true {
                let (result, error, produced) = chunk.withUnsafeMutableBytes { raw -> (Int, Int32, Int) in
                    var outputPointer = raw.baseAddress?.assumingMemoryBound(to: CChar.self)
                    var outputLeft = raw.count
                    let result =
                        flush
                        ? iconv(converter, nil, nil, &outputPointer, &outputLeft)
                        : iconv(converter, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
                    return (result, errno, raw.count - outputLeft)
                }
                output.append(contentsOf: chunk[..<produced])
                if result == -1, error == E2BIG { continue }
                return result == -1
            }
        }

        while convert(flush: false) {
            let offset = buffer.count - inputLeft
            guard mode == .lenient else { return .failure(TextDecodingError(.invalidBytes, charset: name, offset: offset)) }
            firstInvalid = firstInvalid ?? offset
            replaced += 1
            _ = convert(flush: true)
            output.append(contentsOf: [0xEF, 0xBF, 0xBD])
            inputPointer = inputPointer.map { $0 + 1 }
            inputLeft -= 1
        }
        _ = convert(flush: true)
        var text = String(decoding: output, as: UTF8.self)
        if iconvName == "CP1255" { text = undoPresentationForms(text) }
        guard let firstInvalid else { return .success(DecodedText(text: text)) }
        return .success(
            DecodedText(text: text, warnings: ["\(replaced) invalid \(name) byte(s) replaced with U+FFFD (first at byte \(firstInvalid))"]))
    }
}
