import Foundation
import Testing

import LeadGateSourceKit

private func parse(_ lines: [String], separator: String = "\r\n") throws -> MIMEMessage {
    try MIMEMessage(parsing: Array(lines.joined(separator: separator).utf8))
}

/// Each entity as `depth:type:body`, the body as text for text parts and as a size for the others.
private func outline(_ message: MIMEMessage) -> [String] {
    message.parts.map { part in
        let body =
            part.contentType.essence.hasPrefix("text/")
            ? message.text(of: part).text : "\(part.bodyRange.count)"
        return "\(part.depth):\(part.contentType.essence):\(part.children.isEmpty ? body : "*")"
    }
}

// MARK: - multipart structure

/// Multiparts as senders write them; `expected` is the outline of the parsed message.
@Test(arguments: [
    (
        "quoted boundary, preamble and epilogue",
        [
            "Content-Type: multipart/mixed; boundary=\"b1\"", "", "This is the preamble.", "--b1", "Content-Type: text/plain", "",
            "one", "--b1", "", "two (no headers)", "--b1--", "This is the epilogue.",
        ],
        ["0:multipart/mixed:*", "1:text/plain:one", "1:text/plain:two (no headers)"]
    ),
    (
        "unquoted boundary, trailing whitespace on delimiter lines",
        [
            "Content-Type: multipart/alternative; boundary=b2", "", "--b2  ", "Content-Type: text/plain", "", "plain", "--b2\t",
            "Content-Type: text/html", "", "<p>html</p>", "--b2--  ",
        ],
        ["0:multipart/alternative:*", "1:text/plain:plain", "1:text/html:<p>html</p>"]
    ),
    (
        "missing final boundary",
        ["Content-Type: multipart/mixed; boundary=b3", "", "--b3", "", "only part", ""],
        ["0:multipart/mixed:*", "1:text/plain:only part\n"]
    ),
    (
        "nested mixed > alternative > related",
        [
            "Content-Type: multipart/mixed; boundary=outer", "", "--outer",
            "Content-Type: multipart/alternative; boundary=\"alt\"", "", "--alt", "Content-Type: text/plain; charset=utf-8", "",
            "plain body", "--alt", "Content-Type: multipart/related; boundary=rel", "", "--rel", "Content-Type: text/html", "",
            "<b>html</b>", "--rel", "Content-Type: image/png", "Content-Transfer-Encoding: base64", "", "iVBORw0KGgo=", "--rel--",
            "--alt--", "--outer", "Content-Type: application/pdf", "Content-Disposition: attachment; filename=a.pdf", "",
            "JVBERi0=", "--outer--",
        ],
        [
            "0:multipart/mixed:*", "1:multipart/alternative:*", "2:text/plain:plain body", "2:multipart/related:*",
            "3:text/html:<b>html</b>", "3:image/png:12", "1:application/pdf:8",
        ]
    ),
    (
        "an outer boundary ends an inner multipart left open",
        [
            "Content-Type: multipart/mixed; boundary=outer", "", "--outer", "Content-Type: multipart/alternative; boundary=inner", "",
            "--inner", "", "inner text", "--outer", "", "outer text", "--outer--",
        ],
        ["0:multipart/mixed:*", "1:multipart/alternative:*", "2:text/plain:inner text", "1:text/plain:outer text"]
    ),
    (
        "a line that only starts with the boundary is content",
        ["Content-Type: multipart/mixed; boundary=b", "", "--b", "", "--bx is not a delimiter", "--b-", "--b--"],
        ["0:multipart/mixed:*", "1:text/plain:--bx is not a delimiter\n--b-"]
    ),
    (
        "empty parts",
        ["Content-Type: multipart/mixed; boundary=b", "", "--b", "--b", "Content-Type: text/plain", "--b--"],
        ["0:multipart/mixed:*", "1:text/plain:", "1:text/plain:"]
    ),
    (
        "multipart/digest parts default to message/rfc822",
        ["Content-Type: multipart/digest; boundary=d", "", "--d", "", "Subject: inner", "", "inner body", "--d--"],
        ["0:multipart/digest:*", "1:message/rfc822:*", "2:text/plain:inner body"]
    ),
    (
        "an encapsulated message/rfc822 is opened",
        [
            "Content-Type: multipart/mixed; boundary=m", "", "--m", "Content-Type: text/plain", "", "see attached", "--m",
            "Content-Type: message/rfc822", "", "From: lead@example.com", "Content-Type: multipart/alternative; boundary=in", "",
            "--in", "", "forwarded text", "--in--", "--m--",
        ],
        [
            "0:multipart/mixed:*", "1:text/plain:see attached", "1:message/rfc822:*", "2:multipart/alternative:*",
            "3:text/plain:forwarded text",
        ]
    ),
    (
        "a multipart without a boundary is one opaque part",
        ["Content-Type: multipart/mixed", "", "--x text --x--"],
        ["0:multipart/mixed:14"]
    ),
    (
        "an unreadable Content-Type is text/plain",
        ["Content-Type: garbage", "", "body"],
        ["0:text/plain:body"]
    ),
])
func mimeParsesMultipartStructure(name: String, lines: [String], expected: [String]) throws {
    #expect(outline(try parse(lines)) == expected, "\(name)")
    // Bare LF line ends read the same.
    #expect(outline(try parse(lines, separator: "\n")) == expected, "\(name), LF")
}

@Test func mimeWarnsAboutWhatItWorkedAround() throws {
    let unterminated = try parse(["Content-Type: multipart/mixed; boundary=b3", "", "--b3", "", "only part"])
    #expect(unterminated.warnings.contains { $0.contains("no closing boundary") })
    let clean = try parse(["Content-Type: multipart/mixed; boundary=b", "", "--b", "", "x", "--b--"])
    #expect(clean.warnings.isEmpty)
    let noBoundary = try parse(["Content-Type: multipart/mixed", "", "x"])
    #expect(noBoundary.warnings.contains { $0.contains("no boundary") })
}

@Test func mimeSkipsMboxFromLineAndRefusesWhatIsNotMail() throws {
    let mbox = try parse(["From dana@acme.co.il Sat Nov 28 09:15:02 2026", "Subject: hi", "", "body"])
    #expect(mbox.headerText("Subject") == "hi")
    for junk in ["", "{\"json\": true}", "\r\n\r\nbody only", "no header here\r\n\r\n"] {
        #expect(throws: MIMEError.self) { try MIMEMessage(parsing: Array(junk.utf8)) }
    }
}

@Test func mimeParsesAMessageInsideALargerBuffer() throws {
    let bytes = Array("junk before|Subject: inner\r\n\r\nbody|junk after".utf8)
    let start = try #require(bytes.firstIndex(of: UInt8(ascii: "|"))) + 1
    let end = try #require(bytes.lastIndex(of: UInt8(ascii: "|")))
    let message = try MIMEMessage(parsing: bytes, in: start..<end)
    #expect(message.headerText("Subject") == "inner")
    #expect(message.text(of: message.parts[0]).text == "body")
}

@Test func mimeReadsFormDataWithTheRequestsContentType() {
    let body = Array(
        [
            "--xYzZY", "Content-Disposition: form-data; name=\"from\"", "", "Dana <dana@acme.co.il>", "--xYzZY",
            "Content-Disposition: form-data; name=\"text\"", "Content-Type: text/plain; charset=windows-1255", "", "body", "--xYzZY--",
        ].joined(separator: "\r\n").utf8)
    let type = MediaType(essence: "multipart/form-data", parameters: ["boundary": "xYzZY"])
    let message = MIMEMessage(parsingBody: body, contentType: type)
    let parts = message.parts[0].children.map { message.parts[$0] }
    #expect(parts.map { $0.disposition?.parameters["name"] } == ["from", "text"])
    #expect(parts.map { String(decoding: message.bytes[$0.bodyRange], as: UTF8.self) } == ["Dana <dana@acme.co.il>", "body"])
    #expect(parts.map(\.contentType.charset) == [nil, "windows-1255"])
}

// MARK: - body text

@Test func mimeBodyTextSeparatesPlainAndHTMLAndSkipsAttachments() throws {
    let message = try parse([
        "Content-Type: multipart/mixed; boundary=m", "", "--m", "Content-Type: multipart/alternative; boundary=a", "", "--a",
        "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "", "Name: Dana =E2=80=94 CEO",
        "--a", "Content-Type: text/html; charset=utf-8", "", "<td>Name</td>", "--a--", "--m",
        "Content-Type: text/plain; name=notes.txt", "Content-Disposition: attachment; filename=notes.txt", "", "not the body", "--m--",
    ])
    let body = message.bodyText()
    #expect(body.plain == "Name: Dana — CEO")
    #expect(body.html == "<td>Name</td>")
    #expect(body.warnings.isEmpty)
    #expect(message.parts.last?.isAttachment == true)
    #expect(message.parts.last?.filename == "notes.txt")
}

@Test func mimeBodyTextOfAnHTMLOnlyMessage() throws {
    let message = try parse(["Content-Type: text/html; charset=utf-8", "", "<p>only html</p>"])
    #expect(message.bodyText() == MIMEBodyText(plain: nil, html: "<p>only html</p>", warnings: []))
}

// MARK: - limits

@Test func mimeStopsDescendingPastTheDepthLimit() throws {
    // 10,000 nested multiparts: parsed without recursion, opened only 20 deep.
    var lines: [String] = ["Content-Type: multipart/mixed; boundary=b0", ""]
    for level in 1...10_000 {
        lines += ["--b\(level - 1)", "Content-Type: multipart/mixed; boundary=b\(level)", ""]
    }
    lines += ["--b10000", "", "deepest"]
    let message = try parse(lines)
    #expect(message.parts.count == 21)
    #expect(message.parts.map(\.depth).max() == 20)
    #expect(message.warnings.contains { $0.contains("deeper than 20") })
}

@Test func mimeStopsReadingPastThePartLimit() throws {
    let lines = ["Content-Type: multipart/mixed; boundary=b", ""] + Array(repeating: "--b", count: 5_000) + ["--b--"]
    let message = try parse(lines)
    #expect(message.parts.count == 1_000)
    #expect(message.warnings.contains { $0.contains("more than 1000 parts") })
}

@Test func mimeKeepsAtMostTheHeaderFieldLimit() throws {
    let lines = (0..<5_000).map { "X-Field-\($0): v" } + ["", "body"]
    let message = try parse(lines)
    #expect(message.headers.fields.count == 1_000)
    #expect(message.text(of: message.parts[0]).text == "body")
}

@Test func mimeAttachmentIsSizedNotCopied() throws {
    // A 20 MB attachment: the parts are ranges of the caller's own buffer, and only the text part is decoded.
    let attachment = [UInt8](repeating: UInt8(ascii: "A"), count: 76) + [0x0D, 0x0A]
    var bytes = Array(
        [
            "Content-Type: multipart/mixed; boundary=big", "", "--big", "Content-Type: text/plain", "", "Name: Dana", "--big",
            "Content-Type: application/octet-stream", "Content-Transfer-Encoding: base64", "", "",
        ].joined(separator: "\r\n").utf8)
    bytes.reserveCapacity(21_000_000)
    for _ in 0..<(20_000_000 / attachment.count) { bytes += attachment }
    bytes += Array("--big--\r\n".utf8)
    let message = try MIMEMessage(parsing: bytes)
    let shared = bytes.withUnsafeBufferPointer { mine in message.bytes.withUnsafeBufferPointer { $0.baseAddress == mine.baseAddress } }
    #expect(shared)
    #expect(message.parts.count == 3)
    #expect(message.parts[2].bodyRange.count == 20_000_000 / attachment.count * attachment.count - 2)
    #expect(message.bodyText().plain == "Name: Dana")
}
