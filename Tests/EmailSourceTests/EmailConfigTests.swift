import LeadGateSourceKit
import Testing

@testable import EmailSource

@Test(arguments: [
    ([line(3, "secret", secret)], EmailSource.Provider.raw),
    ([line(3, "provider", "raw"), line(4, "secret", secret)], .raw),
    ([line(3, "provider", "SendGrid"), line(4, "secret", secret)], .sendgrid),
    ([line(3, "provider", "mailgun"), line(4, "signing_key", "key-123"), line(5, "timestamp_tolerance", "10m")], .mailgun),
    ([line(3, "provider", "postmark"), line(4, "username", "postmark"), line(5, "password", "hunter2hunter2")], .postmark),
])
func emailConfigOfEachProviderIsValid(lines: [ConfigLine], provider: EmailSource.Provider) throws {
    let source = try validSource(lines + [list(8, "ignore_senders", ["forms@acme.co.il", "@mailer.acme.co.il", "alerts@"])])
    #expect(source.provider == provider)
}

/// One bad block per row: the error must name the key and stand at the value (or the block, for a missing key).
private let badConfigs: [(lines: [ConfigLine], mentions: String, at: ConfigMark)] = [
    ([], "sources[0] is missing required key 'secret'", mark(2, 5)),
    ([line(3, "secret", "")], "sources[0].secret is empty", mark(3, 13)),
    ([line(3, "secret", "short")], "sources[0].secret must be at least 16 characters", mark(3, 13)),
    ([line(3, "provider", "imap"), line(4, "secret", secret)], "provider must be one of raw, sendgrid, mailgun, postmark; found 'imap'", mark(3, 15)),
    ([line(3, "provider", "sendgrid")], "sources[0] is missing required key 'secret'", mark(2, 5)),
    ([line(3, "secret", secret), line(4, "signing_key", "k")], "signing_key is not used with provider raw (it takes secret)", mark(4, 18)),
    ([line(3, "provider", "mailgun")], "sources[0] is missing required key 'signing_key'", mark(2, 5)),
    (
        [line(3, "provider", "mailgun"), line(4, "signing_key", "k"), line(5, "secret", secret)],
        "secret is not used with provider mailgun (it takes signing_key, timestamp_tolerance)", mark(5, 13)
    ),
    ([line(3, "provider", "mailgun"), line(4, "signing_key", "k"), line(5, "timestamp_tolerance", "0s")], "timestamp_tolerance must be at least 1s", mark(5, 26)),
    ([line(3, "provider", "mailgun"), line(4, "signing_key", "k"), line(5, "timestamp_tolerance", "soon")], "timestamp_tolerance must be a duration", mark(5, 26)),
    ([line(3, "provider", "postmark"), line(4, "username", "u")], "sources[0] is missing required key 'password'", mark(2, 5)),
    ([line(3, "secret", secret), list(4, "ignore_senders", ["noreply@", "not an entry"])], "ignore_senders: 'not an entry' must be", mark(6, 9)),
    ([line(3, "secret", secret), list(4, "ignore_senders", ["a@b@c"])], "ignore_senders: 'a@b@c' must be", mark(5, 9)),
    ([line(3, "secret", secret), line(4, "imap_url", "imaps://x")], "unknown key 'imap_url'", mark(4, 5)),
]

@Test(arguments: badConfigs)
func emailConfigErrorIsReportedAtItsMark(lines: [ConfigLine], mentions: String, at: ConfigMark) throws {
    let errors = try makeSource(lines).errors
    try #require(errors.count == 1, "\(errors)")
    #expect(errors[0].message.contains(mentions), "\(errors[0])")
    #expect(errors[0].mark == at)
}

@Test(arguments: [
    ("noreply@forms.example.com", true), ("No-Reply@Acme.co.il", true), ("wordpress@acme.example", true),
    ("MAILER-DAEMON@mx.example", true), ("forms@acme.co.il", true), ("anyone@mailer.acme.co.il", true), ("alerts@x.io", true),
    ("dana@acme.co.il", false), ("noreply.dana@acme.co.il", false), ("forms@other.co.il", false), ("mailer.acme.co.il@x.io", false),
])
func emailIgnoresDefaultAndConfiguredSenders(address: String, ignored: Bool) throws {
    let source = try rawSource([list(8, "ignore_senders", ["forms@acme.co.il", "@mailer.acme.co.il", "alerts@"])])
    #expect(source.builder.senders.ignores(address) == ignored)
}
