import LeadGateSourceKit
import Testing

@testable import WebFormSource

@Test func fullConfigIsValid() throws {
    let (_, errors) = try makeSource([
        list(3, "allowed_origins", ["https://acme.co.il", "https://www.acme.co.il:8443", "http://[::1]:8080", "*"]),
        line(8, "honeypot", "fax_number"),
        line(9, "redirect", "https://acme.co.il/תודה?from=form"),
        line(10, "secret", "s3cret"),
        line(11, "secret_header", "X-Form-Secret"),
        line(12, "hmac_secret", "k3y"),
        line(13, "signature_header", "X-Hub-Signature-256"),
        line(14, "json_path", "payload.0.fields"),
        line(15, "files", "Refuse"),
        line(16, "max_fields", "5000"),
    ])
    #expect(errors.isEmpty, "\(errors)")
}

@Test func anEmptyConfigIsValid() throws {
    #expect(try makeSource([]).errors.isEmpty)
}

/// One bad value per row: the error must name the key and stand at the value's own line and column.
private let badValues: [(line: ConfigLine, mentions: String, at: ConfigMark)] = [
    (line(3, "redirect", "/thanks"), "sources[0].redirect must be an absolute http(s) URL", mark(3, 15)),
    (line(3, "redirect", "ftp://acme.co.il/thanks"), "found 'ftp://acme.co.il/thanks'", mark(3, 15)),
    (line(3, "redirect", "https://"), "redirect", mark(3, 15)),
    (line(4, "files", "delete"), "sources[0].files must be ignore or refuse, found 'delete'", mark(4, 12)),
    (line(5, "json_path", "data..lead"), "sources[0].json_path must be a dotted path", mark(5, 16)),
    (line(6, "secret", ""), "sources[0].secret is empty", mark(6, 13)),
    (line(7, "honeypot", ""), "sources[0].honeypot is empty", mark(7, 15)),
    (line(8, "secret_header", "X-Form-Secret"), "secret_header is set but secret is not", mark(8, 20)),
    (line(9, "signature_header", "X-Sig"), "signature_header is set but hmac_secret is not", mark(9, 23)),
    (line(10, "max_fields", "0"), "sources[0].max_fields must be between 1 and", mark(10, 17)),
    (line(11, "max_fields", "lots"), "sources[0].max_fields must be an integer", mark(11, 17)),
    (line(12, "allowed_origins", "acme.co.il"), "'acme.co.il' is not an origin", mark(12, 22)),
]

@Test(arguments: badValues)
func reportsBadValueAtItsMark(line: ConfigLine, mentions: String, at: ConfigMark) throws {
    let errors = try makeSource([line]).errors
    try #require(errors.count == 1, "\(errors)")
    #expect(errors[0].message.contains(mentions), "\(errors[0])")
    #expect(errors[0].mark == at)
}

@Test func headerNamesMustBeTokens() throws {
    let errors = try makeSource([line(3, "secret", "s"), line(4, "secret_header", "X Form Secret")]).errors
    #expect(errors.map(\.mark) == [mark(4, 20)])
    #expect(errors.first?.message.contains("HTTP header name") == true)
}

@Test func eachBadOriginIsReportedAtItsOwnLine() throws {
    let errors = try makeSource([
        list(3, "allowed_origins", ["https://acme.co.il", "https://acme.co.il/contact", "acme.co.il", "*", "https://acme.co.il:http"]),
        line(9, "files", "nope"),
    ]).errors
    #expect(errors.map(\.mark) == [mark(5, 9), mark(6, 9), mark(8, 9), mark(9, 12)])
    #expect(errors.map(\.description).first == "leadgate.yaml:5:9: sources[0].allowed_origins: 'https://acme.co.il/contact' is not an origin; write scheme://host[:port] with no path, like https://acme.co.il")
}

@Test func allowedOriginsOfTheWrongShapeAreReported() throws {
    let mapping = ConfigValue.mapping([ConfigEntry(key: "a", keyMark: mark(4, 7), value: .scalar("b", mark(4, 10), quoted: false))], mark(4, 7))
    let errors = try makeSource([ConfigLine(key: "allowed_origins", value: mapping)]).errors
    #expect(errors.map(\.mark) == [mark(4, 7)])
    #expect(errors.first?.message.contains("found a mapping") == true)
}

@Test func unknownKeysAreLeftToTheLoader() throws {
    // The adapter must not read keys it does not know, so `finish()` reports them at the key.
    let errors = try makeSource([line(3, "redirect_url", "https://acme.co.il/thanks"), line(4, "honeypot", "fax")]).errors
    #expect(errors.map(\.mark) == [mark(3, 5)])
    #expect(errors.first?.message.contains("unknown key 'redirect_url'") == true)
    #expect(errors.first?.message.contains("honeypot") == true)
}

@Test(arguments: [
    ("https://acme.co.il", "https://acme.co.il"),
    ("HTTPS://ACME.co.il:443", "https://acme.co.il"),
    ("http://acme.co.il:80", "http://acme.co.il"),
    ("http://localhost:8080", "http://localhost:8080"),
    ("http://[::1]:3000", "http://[::1]:3000"),
    ("https://acme.co.il:0443", "https://acme.co.il"),
])
func normalizesOrigins(text: String, normalized: String) {
    #expect(OriginPolicy.normalized(text) == normalized)
}

@Test(arguments: ["acme.co.il", "https://", "https://acme.co.il/", "https://acme.co.il/path", "https://a b.co", "https://acme.co.il:", "https://acme.co.il:70000", "null", "://x"])
func refusesWhatIsNotAnOrigin(text: String) {
    #expect(OriginPolicy.normalized(text) == nil)
}
