import Testing

import LeadGateSourceKit

/// Byte sequences produced by Python's codecs (an encoder independent of glibc's iconv).
private let charsetCases: [(label: String, bytes: [UInt8], text: String)] = [
    ("windows-1255", [0xF9, 0xEC, 0xE5, 0xED], "שלום"),
    // Shin, shin dot, lamed: the points stay separate characters, as typed.
    ("windows-1255", [0xF9, 0xD1, 0xEC], "\u{05E9}\u{05C1}\u{05DC}"),
    ("iso-8859-8", [0xF9, 0xEC, 0xE5, 0xED, 0x20, 0xF2, 0xE5, 0xEC, 0xED], "שלום עולם"),
    ("iso-8859-8-i", [0xF9, 0xEC, 0xE5, 0xED], "שלום"),
    ("windows-1251", [0xCF, 0xF0, 0xE8, 0xE2, 0xE5, 0xF2], "Привет"),
    ("koi8-r", [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4], "Привет"),
    ("windows-1256", [0xE3, 0xD1, 0xCD, 0xC8, 0xC7], "مرحبا"),
    ("iso-8859-6", [0xE5, 0xD1, 0xCD, 0xC8, 0xC7], "مرحبا"),
    ("windows-1252", [0x63, 0x61, 0x66, 0xE9, 0x20, 0x80], "café €"),
    // As in browsers, latin1 means windows-1252, so 0x80 is the euro sign.
    ("latin1", [0x63, 0x61, 0x66, 0xE9, 0x20, 0x80], "café €"),
    ("iso-8859-15", [0xA4, 0x75, 0x72, 0x6F], "€uro"),
    ("shift_jis", [0x93, 0xFA, 0x96, 0x7B, 0x8C, 0xEA], "日本語"),
    ("gb2312", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
    ("gbk", [0xD6, 0xD0, 0xCE, 0xC4], "中文"),
    ("big5", [0xA4, 0xA4, 0xA4, 0xE5], "中文"),
    ("euc-kr", [0xC7, 0xD1, 0xB1, 0xB9, 0xBE, 0xEE], "한국어"),
    ("euc-jp", [0xC6, 0xFC, 0xCB, 0xDC], "日本"),
    // Stateful: the closing escape is only seen when the converter is flushed.
    ("iso-2022-jp", [0x1B, 0x24, 0x42, 0x46, 0x7C, 0x4B, 0x5C, 0x1B, 0x28, 0x42], "日本"),
    ("utf-16le", [0xFF, 0xFE, 0xE9, 0x05, 0xDC, 0x05, 0xD5, 0x05, 0xDD, 0x05], "שלום"),
    ("utf-16be", [0xFE, 0xFF, 0x05, 0xE9, 0x05, 0xDC, 0x05, 0xD5, 0x05, 0xDD], "שלום"),
    // The byte-order mark wins over the label, as in browsers.
    ("utf-16", [0xFE, 0xFF, 0x05, 0xE9, 0x05, 0xDC, 0x05, 0xD5, 0x05, 0xDD], "שלום"),
    ("utf-16le", [0xE9, 0x05, 0xDC, 0x05], "של"),
    ("utf-8", [0xEF, 0xBB, 0xBF] + Array("דנה".utf8), "דנה"),
    ("utf-8", Array("日本語 مرحبا Привет".utf8), "日本語 مرحبا Привет"),
    ("utf-8", [], ""),
    ("windows-1255", [], ""),
]

@Test(arguments: charsetCases)
func decodesCharset(label: String, bytes: [UInt8], text: String) throws {
    let charset = try #require(Charset(label: label))
    // Scalars, not String ==, which would call canonically equivalent text equal.
    #expect(try Array(charset.decode(bytes).text.unicodeScalars) == Array(text.unicodeScalars))
    #expect(try Charset.decode(bytes[...], label: label).warnings.isEmpty)
}

@Test(arguments: [
    ("UTF8", "utf-8"), (" utf-8 ", "utf-8"), ("Latin1", "windows-1252"), ("ISO-8859-1", "windows-1252"),
    ("us-ascii", "windows-1252"), ("CP1255", "windows-1255"), ("x-cp1255", "windows-1255"), ("visual", "iso-8859-8"),
    ("logical", "iso-8859-8-i"), ("cp1251", "windows-1251"), ("koi8", "koi8-r"), ("x-sjis", "shift_jis"),
    ("ms932", "shift_jis"), ("gb2312", "gbk"), ("big5-hkscs", "big5"), ("ks_c_5601-1987", "euc-kr"),
    ("unicode", "utf-16le"), ("iso-8859-9", "windows-1254"), ("tis-620", "windows-874"),
])
func normalizesLabel(label: String, name: String) {
    #expect(Charset(label: label)?.name == name)
}

@Test(arguments: ["", "utf-7", "x-klingon", "utf_8", "hz-gb-2312"])
func unknownLabelIsNil(label: String) {
    #expect(Charset(label: label) == nil)
}

@Test(arguments: [
    ("utf-8", [0x61, 0xFF, 0x62] as [UInt8], 1),
    ("utf-8", [0x61, 0x62, 0xD7], 2),  // cut in the middle of a two-byte letter
    ("utf-8", [0xEF, 0xBB, 0xBF, 0x61, 0xC0, 0x80], 4),  // overlong NUL; the offset counts the byte-order mark
    ("windows-1255", [0xF9, 0xFF], 1),  // 0xFF is unassigned in windows-1255
    ("utf-16le", [0x61, 0x00, 0x62], 2),  // odd length
    ("shift_jis", [0x93], 0),  // truncated double-byte character
])
func strictModeRefusesInvalidBytes(label: String, bytes: [UInt8], offset: Int) throws {
    let charset = try #require(Charset(label: label))
    #expect(throws: TextDecodingError(.invalidBytes, charset: charset.name, offset: offset)) {
        try charset.decode(bytes)
    }
}

@Test func lenientModeReplacesAndSaysSo() throws {
    let utf8 = try Charset.utf8.decode([0x61, 0xFF, 0x62], mode: .lenient)
    #expect(utf8.text == "a\u{FFFD}b")
    #expect(utf8.warnings.count == 1)

    let hebrew = try #require(Charset(label: "windows-1255")).decode([0xF9, 0xFF, 0xEC, 0xE5, 0xED], mode: .lenient)
    #expect(hebrew.text == "ש\u{FFFD}לום")
    #expect(hebrew.warnings.first?.contains("byte 1") == true)
}

@Test func unknownCharsetFailsStrictAndFallsBackLenient() throws {
    #expect(throws: TextDecodingError(.unknownCharset, charset: "x-klingon")) {
        try Charset.decode(Array("hi".utf8), label: "x-klingon", mode: .strict)
    }
    let decoded = try Charset.decode(Array("שלום".utf8), label: "x-klingon", mode: .lenient)
    #expect(decoded.text == "שלום")
    #expect(decoded.warnings == ["unknown charset 'x-klingon', read as UTF-8"])
    #expect(try Charset.decode(Array("שלום".utf8), label: nil).text == "שלום")
}

@Test func largeNonUTF8InputDecodesWhole() throws {
    // Several converter output chunks: nothing may be lost between them.
    let bytes = [UInt8](repeating: 0xF9, count: 200_000) + [0xED]
    let text = try #require(Charset(label: "windows-1255")).decode(bytes).text
    #expect(text.unicodeScalars.count == 200_001)
    #expect(text.hasSuffix("שם"))
}

@Test func decodesConcurrently() async throws {
    let charset = try #require(Charset(label: "cp1255"))
    let results = await withTaskGroup(of: String?.self) { group in
        for _ in 0..<64 {
            group.addTask { try? charset.decode([0xF9, 0xEC, 0xE5, 0xED]).text }
        }
        var results: [String?] = []
        for await result in group { results.append(result) }
        return results
    }
    #expect(results.count == 64)
    #expect(results.allSatisfy { $0 == "שלום" })
}
