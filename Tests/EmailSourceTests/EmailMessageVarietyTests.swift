import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import EmailSource

/// Form mails in every charset LeadGate reads; bodies encoded by Python's codecs, base64 and quopri.
@Test(arguments: [
    (
        "KOI8-R, base64",
        ["Content-Type: text/plain; charset=KOI8-R", "Content-Transfer-Encoding: base64"],
        ["6c3ROiDvzNjHwSDp18HOz9fBDQr0xczFxs/OOiArNyA0OTUgMTIzLTQ1LTY3DQrrz83Qwc7J0Tog", "8s/NwdvLwQ=="],
        [RawField("Имя", "Ольга Иванова"), RawField("Телефон", "+7 495 123-45-67"), RawField("Компания", "Ромашка")]
    ),
    (
        "windows-1251, quoted-printable",
        ["Content-Type: text/plain; charset=windows-1251", "Content-Transfer-Encoding: quoted-printable"],
        ["=C8=EC=FF: =CE=EB=FC=E3=E0 =C8=E2=E0=ED=EE=E2=E0", "=D2=E5=EB=E5=F4=EE=ED: +7 495 123-45-67"],
        [RawField("Имя", "Ольга Иванова"), RawField("Телефон", "+7 495 123-45-67")]
    ),
    (
        "Shift_JIS, base64",
        ["Content-Type: text/plain; charset=Shift_JIS", "Content-Transfer-Encoding: base64"],
        ["gqiWvJFPOiCOUpNjkb6YWQ0KRW1haWw6IHlhbWFkYUBleGFtcGxlLmpwDQqCqJbigqKNh4LtgrmT", "4JdlOiCMqZDPguCC6Irzll0="],
        [RawField("お名前", "山田太郎"), RawField("Email", "yamada@example.jp"), RawField("お問い合わせ内容", "見積もり希望")]
    ),
    (
        "GB2312, base64",
        ["Content-Type: text/plain; charset=gb2312", "Content-Transfer-Encoding: base64"],
        ["0NXD+zogzfXQocP3DQpQaG9uZTogKzg2IDEzOCAwMDEzIDgwMDANCkNvbXBhbnk6IMnu29q5q8u+"],
        [RawField("姓名", "王小明"), RawField("Phone", "+86 138 0013 8000"), RawField("Company", "深圳公司")]
    ),
    (
        "Big5, quoted-printable",
        ["Content-Type: text/plain; charset=big5", "Content-Transfer-Encoding: quoted-printable"],
        ["=A9m=A6W: =B3=AF=A4j=A4=E5", "Email: chan@example.hk", "Phone: +852 9123 4567"],
        [RawField("姓名", "陳大文"), RawField("Email", "chan@example.hk"), RawField("Phone", "+852 9123 4567")]
    ),
    (
        "ISO-8859-8-I, base64",
        ["Content-Type: text/plain; charset=iso-8859-8-i", "Content-Transfer-Encoding: base64"],
        ["+e06IOPw5CDr5O8NCujs9OXvOiAwMy02MTAxODAw"],
        [RawField("שם", "דנה כהן"), RawField("טלפון", "03-6101800")]
    ),
    (
        "ISO-8859-15, quoted-printable, lower-case hex",
        ["Content-Type: text/plain; charset=ISO-8859-15", "Content-Transfer-Encoding: quoted-printable"],
        ["Nom: Jos=e9 M=fcller", "T=E9l=E9phone: +33 1 23 45 67 89", "Email: jose@example.fr", "Budget: 5000=A4"],
        [RawField("Nom", "José Müller"), RawField("Téléphone", "+33 1 23 45 67 89"), RawField("Email", "jose@example.fr"), RawField("Budget", "5000€")]
    ),
    (
        "windows-1252, quoted-printable, soft line break",
        ["Content-Type: text/plain; charset=windows-1252", "Content-Transfer-Encoding: quoted-printable"],
        ["Name: Zo=EB O=92Br=", "ien", "Phone: +353 1 234 5678", "Company: =93Acme=94 Ltd"],
        [RawField("Name", "Zoë O’Brien"), RawField("Phone", "+353 1 234 5678"), RawField("Company", "“Acme” Ltd")]
    ),
    (
        "UTF-8, 8bit",
        ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: 8bit"],
        ["الاسم: محمد عبد الله", "الهاتف: +972 54 123 4567"],
        [RawField("الاسم", "محمد عبد الله"), RawField("الهاتف", "+972 54 123 4567")]
    ),
])
func emailReadsFormMailsInEachCharset(name: String, headers: [String], body: [String], expected: [RawField]) throws {
    let lead = try draft(message(["From: noreply@forms.example.com", "MIME-Version: 1.0"] + headers, body))
    #expect(lead.fields == expected, "\(name)")
}

/// Structures and header quirks around the same three fields.
@Test(arguments: [
    (
        "nested mixed > alternative > related, with attachments",
        ["Content-Type: multipart/mixed; boundary=\"=_mixed\""],
        [
            "This is a multi-part message in MIME format.", "", "--=_mixed", "Content-Type: multipart/alternative; boundary=\"=_alt\"",
            "", "--=_alt", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable", "",
            "Name: Dana Cohen", "Phone: 054-1234567", "--=_alt", "Content-Type: multipart/related; boundary=\"=_rel\"", "", "--=_rel",
            "Content-Type: text/html; charset=utf-8", "", "<p>Name: Dana Cohen</p>", "--=_rel", "Content-Type: image/png",
            "Content-Transfer-Encoding: base64", "Content-ID: <logo>", "", "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk",
            "--=_rel--", "--=_alt--", "--=_mixed", "Content-Type: application/pdf; name=\"brief.pdf\"",
            "Content-Disposition: attachment; filename*=UTF-8''%D7%91%D7%A8%D7%99%D7%A3.pdf", "Content-Transfer-Encoding: base64", "",
            "JVBERi0xLjcKJcfsj6IK", "--=_mixed--", "epilogue",
        ]
    ),
    (
        "missing final boundary, trailing whitespace, bare LF inside",
        ["Content-Type: multipart/alternative; boundary=b"],
        ["--b   ", "Content-Type: text/plain", "", "Name: Dana Cohen\nPhone: 054-1234567", "--b\t", "Content-Type: text/html", "", "<p>x</p>"]
    ),
    (
        "a part with no headers, only the blank line",
        ["Content-Type: multipart/mixed; boundary=b"],
        ["--b", "", "Name: Dana Cohen", "Phone: 054-1234567", "--b--"]
    ),
    (
        "no MIME headers at all: text/plain us-ascii",
        [],
        ["Name: Dana Cohen", "Phone: 054-1234567"]
    ),
])
func emailReadsMessagesOfEveryShape(name: String, headers: [String], body: [String]) throws {
    let lead = try draft(message(["Subject: x", "From: noreply@forms.example.com"] + headers, body))
    #expect(lead.fields == [RawField("Name", "Dana Cohen"), RawField("Phone", "054-1234567"), RawField("subject", "x")], "\(name)")
}

/// From and Subject as mailers really write them.
@Test(arguments: [
    (
        "raw UTF-8 headers (RFC 6532)",
        ["From: דנה כהן <dana@acme.co.il>", "Subject: פנייה חדשה"],
        "פנייה חדשה", MIMEMailbox(name: "דנה כהן", address: "dana@acme.co.il")
    ),
    (
        "adjacent encoded words, folded, one character split between them",
        ["From: =?UTF-8?B?15PXoNeU?=", " =?UTF-8?B?INeb15TXnw==?= <dana@acme.co.il>", "Subject: =?UTF-8?B?16nX?=", "\t=?UTF-8?B?nNeV150=?= world"],
        "שלום world", MIMEMailbox(name: "דנה כהן", address: "dana@acme.co.il")
    ),
    (
        "encoded word inside the quotes, Q with underscores",
        ["From: \"=?windows-1255?Q?=E3=F0=E4_=EB=E4=EF?=\" <dana@acme.co.il>", "Subject: =?ISO-8859-1?Q?Caf=E9?= =?UTF-8?Q?_=E2=80=94_?= menu"],
        "Café —  menu", MIMEMailbox(name: "דנה כהן", address: "dana@acme.co.il")
    ),
    (
        "unknown charset in an encoded word",
        ["From: =?x-unknown?Q?Dana?= <dana@acme.co.il>", "Subject: =?x-unknown?B?SGVsbG8=?="],
        "Hello", MIMEMailbox(name: "Dana", address: "dana@acme.co.il")
    ),
])
func emailReadsSenderAndSubjectHeaders(name: String, headers: [String], subject: String, sender: MIMEMailbox) throws {
    let lead = try draft(message(headers, ["Hello, please call me."]))
    #expect(value("subject", in: lead) == subject, "\(name)")
    #expect(value("email", in: lead) == sender.address, "\(name)")
    #expect(value("full_name", in: lead) == sender.name, "\(name)")
}
