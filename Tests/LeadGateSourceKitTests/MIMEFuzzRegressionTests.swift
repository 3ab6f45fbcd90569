import Foundation
import Testing

import LeadGateSourceKit

// Inputs built to make a reader crash, recurse without end or go quadratic. Each is about 256 KB: a quadratic
// reader takes minutes on that, so a regression shows as a test run that does not finish. An input the
// fuzzer (scripts/bench/mime-fuzz/run.sh) crashes or hangs on belongs here too, once fixed.

private let hostileSize = 256 * 1024

private func repeated(_ piece: String, toSize size: Int = hostileSize) -> String {
    String(repeating: piece, count: max(1, size / max(1, piece.utf8.count)))
}

private func message(_ text: String) throws -> MIMEMessage {
    try MIMEMessage(parsing: Array(text.utf8))
}

@Test func mimeSurvivesEncapsulatedMessagesNestedTenThousandDeep() throws {
    let parsed = try message("Subject: top\r\n" + repeated("Content-Type: message/rfc822\r\n\r\n", toSize: 10_000 * 32) + "body")
    #expect(parsed.parts.count == 21)
    #expect(parsed.parts.map(\.depth).max() == 20)
}

@Test func mimeSurvivesBoundariesThatArePrefixesOfEachOther() throws {
    // Twenty open multiparts whose boundaries start alike, and a hostileSize of lines that almost match them.
    var text = ""
    for level in 0..<20 {
        let boundary = "b" + String(repeating: "-", count: level)
        text += "Content-Type: multipart/mixed; boundary=\"\(boundary)\"\r\n\r\n--\(boundary)\r\n"
    }
    // Each flood line is the innermost boundary plus one byte: it closes some outer frames and opens nothing.
    text += repeated("--b\(String(repeating: "-", count: 19))x\r\n")
    let parsed = try message(text)
    #expect(parsed.parts.count == 21)
}

@Test func mimeSurvivesUnterminatedEncodedWordStarts() {
    for piece in ["=?a?q?", "=?", "=?utf-8?b?", "=?x?q?a?b ", "?=", "=?utf-8?q?=?"] {
        let text = repeated(piece)
        let decoded = MIMEEncodedWord.decode(text)
        #expect(decoded.text.utf8.count <= text.utf8.count, "\(piece)")
    }
    // A hostileSize of real encoded words, all adjacent: joined into one run.
    let words = repeated("=?UTF-8?B?16nXnNeV150=?= ")
    #expect(MIMEEncodedWord.decode(words).text.hasPrefix("שלוםשלום"))
}

@Test func mimeSurvivesHugeParameterLists() {
    for piece in ["; a*0=1", "; a*=utf-8''%41", "; a=\"", "; (", ";;;;", "; a*1*=%", "; name=\"=?utf-8?q?x?=\""] {
        let value = MIMEParameterizedValue(parsing: "text/plain" + repeated(piece))
        #expect(value.token == "text/plain", "\(piece)")
    }
}

@Test func mimeSurvivesHugeAddressLists() {
    for piece in [",", "\"", "<", "(", "a@b:", ":", "\\", "a@b.co, ", "\"x\" <y@z.co>, ", "=?utf-8?q?a?= <a@b.co>,"] {
        let mailboxes = MIMEMailbox.list(parsing: repeated(piece))
        #expect(mailboxes.count <= hostileSize, "\(piece)")
    }
    #expect(MIMEMailbox.list(parsing: repeated("a@b.co, ")).count == hostileSize / 8)
}

@Test func mimeSurvivesTransferEncodingFloods() {
    for piece in ["=", " ", "= ", "=\r", "\t\t=\n", "==", "=Z"] {
        let bytes = Array(repeated(piece).utf8)
        let decoded = bytes.withUnsafeBufferPointer(MIMETransferEncoding.decodeQuotedPrintable)
        #expect(decoded.count <= bytes.count, "\(piece)")
    }
    let junk = (0..<hostileSize).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) }
    #expect(junk.withUnsafeBufferPointer(MIMETransferEncoding.decodeBase64).count <= junk.count)
}

@Test func mimeSurvivesHugeHeaders() throws {
    // One field folded over a hostileSize of continuation lines, then a hostileSize-long field name without a colon.
    let folded = try message("Subject: start\r\n" + repeated(" x\r\n") + "\r\nbody")
    #expect(folded.headerText("Subject")?.hasPrefix("start x x") == true)
    #expect(throws: MIMEError.self) { try message(repeated("a")) }
    #expect(MIMEDate.parse(repeated("28 Nov 2026 ")) == nil)
}

@Test func mimeSurvivesManyPartsWithManyHeaders() throws {
    // A thousand parts (the limit) of a thousand fields each: bounded work and memory, then the rest unread.
    let part = "--b\r\n" + String(repeating: "a:\r\n", count: 1_050) + "\r\nx\r\n"
    let parsed = try message("Content-Type: multipart/mixed; boundary=b\r\n\r\n" + String(repeating: part, count: 1_050))
    #expect(parsed.parts.count == 1_000)
    #expect(parsed.parts.allSatisfy { $0.headers.fields.count <= 1_000 })
}
