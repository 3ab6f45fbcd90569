import Foundation
import Testing

import LeadGateSourceKit

/// Text in each charset mail arrives in; bytes from Python's codecs (independent of glibc's iconv).
private let charsetBodies: [(label: String, bytes: [UInt8], text: String)] = [
    (
        "utf-8",
        [
            0xD7, 0x93, 0xD7, 0xA0, 0xD7, 0x94, 0x20, 0xD7, 0x9B, 0xD7, 0x94, 0xD7, 0x9F, 0x20, 0xE2, 0x80, 0x94, 0x20, 0xD0, 0x9F,
            0xD1, 0x80, 0xD0, 0xB8, 0xD0, 0xB2, 0xD0, 0xB5, 0xD1, 0x82, 0x20, 0xE6, 0x97, 0xA5, 0xE6, 0x9C, 0xAC,
        ], "דנה כהן — Привет 日本"
    ),
    ("windows-1255", [0xE3, 0xF0, 0xE4, 0x20, 0xEB, 0xE4, 0xEF], "דנה כהן"),
    ("iso-8859-8", [0xE3, 0xF0, 0xE4, 0x20, 0xEB, 0xE4, 0xEF], "דנה כהן"),
    ("iso-8859-8-i", [0xE3, 0xF0, 0xE4, 0x20, 0xEB, 0xE4, 0xEF], "דנה כהן"),
    ("windows-1251", [0xCE, 0xEB, 0xFC, 0xE3, 0xE0, 0x20, 0xC8, 0xE2, 0xE0, 0xED, 0xEE, 0xE2, 0xE0], "Ольга Иванова"),
    ("koi8-r", [0xEF, 0xCC, 0xD8, 0xC7, 0xC1, 0x20, 0xE9, 0xD7, 0xC1, 0xCE, 0xCF, 0xD7, 0xC1], "Ольга Иванова"),
    ("iso-8859-1", [0x4A, 0x6F, 0x73, 0xE9, 0x20, 0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72], "José Müller"),
    ("iso-8859-15", [0x50, 0x72, 0x69, 0x78, 0x3A, 0x20, 0x35, 0xA4], "Prix: 5€"),
    ("windows-1252", [0x93, 0x5A, 0x6F, 0xEB, 0x94, 0x20, 0x96, 0x20, 0x35, 0x80], "“Zoë” – 5€"),
    ("shift_jis", [0x8E, 0x52, 0x93, 0x63, 0x91, 0xBE, 0x98, 0x59], "山田太郎"),
    ("gb2312", [0xCD, 0xF5, 0xD0, 0xA1, 0xC3, 0xF7], "王小明"),
    ("gbk", [0xCD, 0xF5, 0xD0, 0xA1, 0xC3, 0xF7], "王小明"),
    ("big5", [0xB3, 0xAF, 0xA4, 0x6A, 0xA4, 0xE5], "陳大文"),
]

private func message(charset: String?, encoding: String, body: [UInt8]) throws -> MIMEMessage {
    let type = charset.map { "text/plain; charset=\"\($0)\"" } ?? "text/plain"
    let head = Array("Subject: t\r\nContent-Type: \(type)\r\nContent-Transfer-Encoding: \(encoding)\r\n\r\n".utf8)
    return try MIMEMessage(parsing: head + body)
}

private func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
    bytes.flatMap { byte -> [UInt8] in
        (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "=") ? [byte] : Array(String(format: "=%02X", byte).utf8)
    }
}

@Test(arguments: charsetBodies.map { ($0.label, $0.bytes, $0.text) })
func mimeDecodesEachCharsetInEachTransferEncoding(label: String, bytes: [UInt8], text: String) throws {
    let encodings: [(String, [UInt8])] = [
        ("8bit", bytes), ("quoted-printable", quotedPrintable(bytes)), ("base64", Array(Data(bytes).base64EncodedString().utf8)),
    ]
    for (encoding, body) in encodings {
        let parsed = try message(charset: label, encoding: encoding, body: body)
        let decoded = parsed.text(of: parsed.parts[0])
        #expect(decoded.text == text, "\(label) \(encoding)")
        #expect(decoded.warnings.isEmpty, "\(label) \(encoding)")
    }
}

@Test func mimeUnknownCharsetDecodesWithReplacementAndWarning() throws {
    let parsed = try message(charset: "x-no-such-charset", encoding: "8bit", body: [0x41, 0xF9, 0x42])
    let decoded = parsed.text(of: parsed.parts[0])
    #expect(decoded.text == "A\u{FFFD}B")
    #expect(decoded.warnings.contains { $0.contains("x-no-such-charset") })
}

@Test func mimeLyingCharsetDecodesWithReplacementAndWarning() throws {
    // Says UTF-8, is windows-1255.
    let parsed = try message(charset: "utf-8", encoding: "8bit", body: [0xE3, 0xF0, 0xE4])
    let decoded = parsed.text(of: parsed.parts[0])
    #expect(decoded.text.allSatisfy { $0 == "\u{FFFD}" })
    #expect(!decoded.warnings.isEmpty)
}

@Test func mimeMissingOrASCIICharsetReadsUTF8WhenValid() throws {
    for label in [nil, "us-ascii"] {
        let parsed = try message(charset: label, encoding: "8bit", body: Array("דנה".utf8))
        let decoded = parsed.text(of: parsed.parts[0])
        #expect(decoded.text == "דנה")
        #expect(decoded.warnings.count == 1)
        let latin = try message(charset: label, encoding: "8bit", body: [0x4A, 0x6F, 0x73, 0xE9])
        #expect(latin.text(of: latin.parts[0]).text == "José")
    }
    let ascii = try message(charset: nil, encoding: "7bit", body: Array("plain".utf8))
    #expect(ascii.text(of: ascii.parts[0]) == DecodedText(text: "plain"))
}

@Test func mimeUnknownTransferEncodingIsReadAsIsWithWarning() throws {
    let parsed = try message(charset: "utf-8", encoding: "x-uuencode", body: Array("as is".utf8))
    let decoded = parsed.text(of: parsed.parts[0])
    #expect(decoded.text == "as is")
    #expect(decoded.warnings.contains { $0.contains("x-uuencode") })
}

@Test func mimeHeaderFallsBackToTheBodyCharsetForRaw8BitBytes() throws {
    // Subject "דנה" in raw windows-1255 bytes, body declared windows-1255.
    let bytes =
        Array("Subject: ".utf8) + [0xE3, 0xF0, 0xE4] + Array("\r\nContent-Type: text/plain; charset=windows-1255\r\n\r\nx".utf8)
    let parsed = try MIMEMessage(parsing: bytes)
    #expect(parsed.bodyCharset == Charset(label: "windows-1255"))
    #expect(parsed.headerText("Subject") == "דנה")
}

@Test func mimeNormalizesLineEndsOfText() throws {
    let parsed = try message(charset: "utf-8", encoding: "8bit", body: Array("a\r\nb\rc\n".utf8))
    #expect(parsed.text(of: parsed.parts[0]).text == "a\nb\nc\n")
}

@Test func mimeNormalizesLineEndsOfUTF16TextAfterDecoding() throws {
    // "A\r\nB" in UTF-16LE with its byte-order mark: the CR and LF bytes are not alone, so they are left to the text.
    let utf16: [UInt8] = [0xFF, 0xFE, 0x41, 0x00, 0x0D, 0x00, 0x0A, 0x00, 0x42, 0x00]
    let parsed = try message(charset: "utf-16", encoding: "base64", body: Array(Data(utf16).base64EncodedString().utf8))
    #expect(parsed.text(of: parsed.parts[0]) == DecodedText(text: "A\nB"))
}
