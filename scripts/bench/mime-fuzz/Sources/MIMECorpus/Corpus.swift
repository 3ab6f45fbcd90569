import Foundation

/// A small, fast, seedable generator (SplitMix64): the same seed gives the same corpus and the same fuzz run.
public struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE5_E9B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The kinds of mail a sales inbox gets, for the benchmark and as fuzz seeds.
public enum MessageKind: String, CaseIterable, Sendable {
    case hebrewFormQP, englishAlternativeBase64, htmlOnlyTable, plainLetter, mixedWithAttachment, legacyCharset, forwarded,
        relatedInlineImage, largeAttachment, longThread
}

/// Generates varied, realistic messages: form mails in many charsets and encodings, letters, forwards, threads,
/// and attachments from a few KB to half a megabyte.
public struct CorpusGenerator {
    private var random: SplitMix64

    public init(seed: UInt64) {
        random = SplitMix64(seed: seed)
    }

    /// `count` messages cycling through every kind.
    public mutating func corpus(count: Int) -> [(kind: MessageKind, bytes: [UInt8])] {
        (0..<count).map { index in
            let kind = MessageKind.allCases[index % MessageKind.allCases.count]
            return (kind, message(kind, index: index))
        }
    }

    public mutating func message(_ kind: MessageKind, index: Int) -> [UInt8] {
        let person = people[index % people.count]
        let phone = "05\(Int.random(in: 0...9, using: &random))-\(Int.random(in: 1_000_000...9_999_999, using: &random))"
        let common = [
            "Return-Path: <bounce-\(index)@mailer.example>",
            "Received: from mx\(index % 7).example ([192.0.2.\(index % 250)]) by mail.acme.co.il with ESMTPS id \(index); Sat, 28 Nov 2026 09:15:02 +0200",
            "Message-ID: <\(index).\(Int.random(in: 0...Int(Int32.max), using: &random))@mailer.example>",
            "Date: Sat, 28 Nov 2026 0\(index % 10):15:02 +0200", "MIME-Version: 1.0", "To: leads@acme.co.il",
        ]
        switch kind {
        case .hebrewFormQP:
            let text = LegacyText.forms[8].bytes + Array("\r\nPhone: \(phone)\r\n".utf8)
            return lines(
                common + [
                    "From: \"=?windows-1255?B?4Pr4IOD37uQ=?=\" <wordpress@acme.example>",
                    "Subject: =?windows-1255?b?9PDp6eQg5+P55CDu6OX08SD25fgg9/n4?=", "Content-Type: text/plain; charset=\"windows-1255\"",
                    "Content-Transfer-Encoding: quoted-printable", "",
                ]) + quotedPrintable(text)
        case .englishAlternativeBase64:
            let plain = "New enquiry\r\n\r\nName: \(person.english)\r\nEmail: \(person.email)\r\nPhone: \(phone)\r\nCompany: Example Ltd\r\nBudget: \(index * 10)\r\n"
            let rows = [("Name", person.english), ("Email", person.email), ("Phone", phone)].map { "<tr><td>\($0)</td><td>\($1)</td></tr>" }
            let html = "<html><body><p>New enquiry</p><table>\(rows.joined())</table></body></html>"
            return lines(
                common + [
                    "From: Example Forms <noreply@forms.example.com>", "Reply-To: \(person.english) <\(person.email)>",
                    "Subject: =?UTF-8?Q?New_enquiry_=E2=80=94_pricing?=", "Content-Type: multipart/alternative; boundary=\"==b\(index)\"", "",
                    "--==b\(index)", "Content-Type: text/plain; charset=UTF-8", "Content-Transfer-Encoding: base64", "", base64(Array(plain.utf8)), "",
                    "--==b\(index)", "Content-Type: text/html; charset=UTF-8", "Content-Transfer-Encoding: base64", "", base64(Array(html.utf8)), "",
                    "--==b\(index)--", "",
                ])
        case .htmlOnlyTable:
            var rows = ""
            for (label, value) in [("שם", person.hebrew), ("טלפון", phone), ("דוא&quot;ל", person.email), ("הודעה", "מעוניין בהדגמה&nbsp;של המערכת")] {
                rows += "<tr><th style=\"text-align:right\">\(label)</th><td>\(value)</td></tr>\r\n"
            }
            let html = "<!DOCTYPE html><html dir=\"rtl\"><head><style>td{padding:4px}</style></head><body><h2>ליד חדש</h2><table>\r\n\(rows)</table></body></html>"
            return lines(
                common + [
                    "From: Elementor <no-reply@acme.co.il>", "Subject: =?UTF-8?B?15zXmdeTINeX15PXqQ==?=", "Content-Type: text/html; charset=utf-8",
                    "Content-Transfer-Encoding: quoted-printable", "",
                ]) + quotedPrintable(Array(html.utf8))
        case .plainLetter:
            var body = "Hi,\r\n\r\n"
            for _ in 0..<Int.random(in: 2...12, using: &random) { body += paragraph() + "\r\n\r\n" }
            body += "Best regards,\r\n\(person.english)\r\n\(phone)\r\n"
            return lines(
                common + [
                    "From: \(person.english) <\(person.email)>", "Subject: Question about your pricing", "Content-Type: text/plain; charset=utf-8",
                    "Content-Transfer-Encoding: 8bit", "",
                ]) + Array(body.utf8)
        case .mixedWithAttachment, .largeAttachment:
            let size =
                kind == .largeAttachment
                ? (index % 5 == 0 ? Int.random(in: 64_000...512_000, using: &random) : Int.random(in: 8_000...64_000, using: &random))
                : Int.random(in: 2_000...32_000, using: &random)
            let boundary = "----=_Part_\(index)_\(Int.random(in: 0...999_999, using: &random))"
            return lines(
                common + [
                    "From: \(person.english) <\(person.email)>", "Subject: RFP attached", "Content-Type: multipart/mixed; boundary=\"\(boundary)\"", "",
                    "This is a multi-part message in MIME format.", "--\(boundary)", "Content-Type: multipart/alternative; boundary=\"alt-\(index)\"", "",
                    "--alt-\(index)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "",
                ]) + quotedPrintable(Array("Name: \(person.english)\r\nCompany: Acme \(index)\r\nPhone: \(phone)\r\nMessage: Please see the attached RFP — thanks.\r\n".utf8))
                + lines([
                    "", "--alt-\(index)", "Content-Type: text/html; charset=utf-8", "", "<p>Please see the attached <b>RFP</b>.</p>", "--alt-\(index)--",
                    "--\(boundary)", "Content-Type: application/pdf; name=\"rfp-\(index).pdf\"", "Content-Transfer-Encoding: base64",
                    "Content-Disposition: attachment; filename*=UTF-8''%D7%91%D7%A7%D7%A9%D7%94-\(index).pdf", "", base64(noise(size)),
                    "--\(boundary)--", "",
                ])
        case .legacyCharset:
            let form = LegacyText.forms[index / MessageKind.allCases.count % 8]
            let text = form.bytes + Array("\r\nPhone: \(phone)\r\nEmail: \(person.email)\r\n".utf8)
            let encoding = index % 3 == 0 ? "base64" : "quoted-printable"
            return lines(
                common + [
                    "From: \(person.email)", "Subject: Form submission #\(index)", "Content-Type: text/plain; charset=\(form.charset)",
                    "Content-Transfer-Encoding: \(encoding)", "",
                ]) + (encoding == "base64" ? Array(base64(text).utf8) : quotedPrintable(text))
        case .forwarded:
            let inner = message(.hebrewFormQP, index: index)
            return lines(
                common + [
                    "From: Office <office@acme.co.il>", "Subject: Fwd: lead", "Content-Type: multipart/mixed; boundary=fwd\(index)", "", "--fwd\(index)",
                    "Content-Type: text/plain; charset=utf-8", "", "See the lead below.", "--fwd\(index)", "Content-Type: message/rfc822", "",
                ]) + inner + lines(["", "--fwd\(index)--", ""])
        case .relatedInlineImage:
            let html = "<html><body><img src=\"cid:logo\"><table><tr><td>Name:</td><td>\(person.english)</td></tr><tr><td>Phone:</td><td>\(phone)</td></tr></table></body></html>"
            return lines(
                common + [
                    "From: Site <wordpress@acme.co.il>", "Subject: New lead", "Content-Type: multipart/related; boundary=rel\(index); type=\"text/html\"", "",
                    "--rel\(index)", "Content-Type: text/html; charset=utf-8", "", html, "--rel\(index)", "Content-Type: image/png", "Content-ID: <logo>",
                    "Content-Transfer-Encoding: base64", "", base64(noise(Int.random(in: 1_000...8_000, using: &random))), "--rel\(index)--", "",
                ])
        case .longThread:
            var body = "Sounds good, call me tomorrow.\r\n\r\nOn Fri, 27 Nov 2026, Sales wrote:\r\n"
            for _ in 0..<Int.random(in: 10...60, using: &random) { body += "> " + paragraph() + "\r\n" }
            var headers = common
            for hop in 0..<Int.random(in: 3...15, using: &random) {
                headers.append("Received: from relay\(hop).example (relay\(hop).example [198.51.100.\(hop)])\r\n\tby mx.acme.co.il (Postfix) with ESMTP id \(index)-\(hop)\r\n\tfor <leads@acme.co.il>; Sat, 28 Nov 2026 09:15:02 +0200")
            }
            return lines(
                headers + [
                    "From: \(person.english) <\(person.email)>", "Subject: Re: Re: Your quote", "In-Reply-To: <q\(index)@acme.co.il>",
                    "Content-Type: text/plain; charset=utf-8; format=flowed", "",
                ]) + Array(body.utf8)
        }
    }

    private mutating func paragraph() -> String {
        let words = ["we", "are", "looking", "for", "a", "CRM", "that", "handles", "leads", "from", "forms", "and", "email", "pricing", "team", "של", "לקוחות", "הצעה"]
        return (0..<Int.random(in: 8...40, using: &random)).map { _ in words[Int.random(in: 0..<words.count, using: &random)] }.joined(separator: " ")
    }

    private mutating func noise(_ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var index = 0
        while index < count {
            var word = random.next()
            for _ in 0..<8 where index < count {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return bytes
    }

    private let people: [(english: String, hebrew: String, email: String)] = [
        ("Dana Cohen", "דנה כהן", "dana@acme.co.il"), ("Avi Levi", "אבי לוי", "avi.levi@gmail.com"), ("John Smith", "ג'ון סמית", "john@example.com"),
        ("Noa Bar", "נועה בר", "noa@startup.io"), ("Olga Ivanova", "אולגה איבנובה", "olga@example.ru"), ("Mohammed Hassan", "מוחמד חסן", "m.hassan@example.com"),
    ]
}

/// CRLF-joined lines, ending in CRLF.
func lines(_ lines: [String]) -> [UInt8] {
    Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
}

/// Base64 in 76-character lines.
func base64(_ bytes: [UInt8]) -> String {
    Data(bytes).base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
}

/// Quoted-printable with soft breaks at 76 characters; CRLF kept as line ends.
func quotedPrintable(_ bytes: [UInt8]) -> [UInt8] {
    var out: [UInt8] = []
    var column = 0
    var index = 0
    while index < bytes.count {
        let byte = bytes[index]
        if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A {
            out += [0x0D, 0x0A]
            column = 0
            index += 2
            continue
        }
        let encoded: [UInt8] =
            (0x21...0x7E).contains(byte) && byte != UInt8(ascii: "=") || byte == 0x20 ? [byte] : Array(String(format: "=%02X", byte).utf8)
        if column + encoded.count > 75 {
            out += Array("=\r\n".utf8)
            column = 0
        }
        out += encoded
        column += encoded.count
        index += 1
    }
    return out
}
