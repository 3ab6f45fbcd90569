import Testing

import LeadGateSourceKit

@Test(arguments: [
    ("Dana Cohen <dana@acme.co.il>", [MIMEMailbox(name: "Dana Cohen", address: "dana@acme.co.il")]),
    ("\"Cohen, Dana\" <dana@acme.co.il>", [MIMEMailbox(name: "Cohen, Dana", address: "dana@acme.co.il")]),
    ("dana@acme.co.il", [MIMEMailbox(name: nil, address: "dana@acme.co.il")]),
    ("<dana@acme.co.il>", [MIMEMailbox(name: nil, address: "dana@acme.co.il")]),
    ("dana@acme.co.il (Dana Cohen)", [MIMEMailbox(name: "Dana Cohen", address: "dana@acme.co.il")]),
    // The fixture's From: an encoded word inside a quoted display name, windows-1255.
    ("\"=?windows-1255?B?4Pr4IOD37uQ=?=\" <wordpress@acme.example>", [MIMEMailbox(name: "אתר אקמה", address: "wordpress@acme.example")]),
    ("=?UTF-8?B?15PXoNeUINeb15TXnw==?= <dana@acme.co.il>", [MIMEMailbox(name: "דנה כהן", address: "dana@acme.co.il")]),
    ("דנה כהן <dana@acme.co.il>", [MIMEMailbox(name: "דנה כהן", address: "dana@acme.co.il")]),
    (
        "a@x.co, \"B\" <b@y.co>",
        [MIMEMailbox(name: nil, address: "a@x.co"), MIMEMailbox(name: "B", address: "b@y.co")]
    ),
    (
        "sales team: a@x.co, B <b@y.co>;, c@z.co",
        [MIMEMailbox(name: nil, address: "a@x.co"), MIMEMailbox(name: "B", address: "b@y.co"), MIMEMailbox(name: nil, address: "c@z.co")]
    ),
    ("Undisclosed recipients:;", []),
    ("<@relay.example:dana@acme.co.il>", [MIMEMailbox(name: nil, address: "dana@acme.co.il")]),
    ("\"Escaped \\\"Quote\\\"\" <q@x.co>", [MIMEMailbox(name: "Escaped \"Quote\"", address: "q@x.co")]),
    ("not an address", []),
    ("Name <>", []),
    ("", []),
    ("\"unclosed <a@x.co>", []),
])
func mimeParsesAddressLists(raw: String, expected: [MIMEMailbox]) {
    #expect(MIMEMailbox.list(parsing: raw) == expected)
}
