import LeadGateSourceKit
import Testing

@testable import TikTokLeadsSource

@Test func everyKeyCanBeSet() throws {
    let errors = try makeSource([
        entry(3, "secret", "s"), entry(4, "signature_header", "X-TT-Signature"), entry(5, "signed_payload", "Body"),
        entry(6, "signature_encoding", "BASE64"), entry(7, "timestamp_tolerance", "10m"),
    ]).errors
    #expect(errors.isEmpty, "\(errors)")
}

@Test func aMissingSecretIsReportedAtTheBlock() throws {
    #expect(try makeSource([]).errors.map(\.description) == ["leadgate.yaml:2:5: sources[0] is missing required key 'secret'"])
}

/// One bad value per row: the error must name the key and stand at the value's own line and column.
let badTikTokValues: [(entry: ConfigEntry, mentions: String, at: ConfigMark)] = [
    (entry(3, "secret", ""), "sources[0].secret is empty", mark(3, 13)),
    (entry(4, "signature_header", "TikTok Signature"), "sources[0].signature_header must be an HTTP header name", mark(4, 23)),
    (entry(4, "signature_header", ""), "signature_header", mark(4, 23)),
    (entry(5, "signed_payload", "timestamp+body"), "sources[0].signed_payload must be timestamp.body or body, found 'timestamp+body'", mark(5, 21)),
    (entry(6, "signature_encoding", "hex64"), "sources[0].signature_encoding must be hex or base64, found 'hex64'", mark(6, 25)),
    (entry(7, "timestamp_tolerance", "soon"), "sources[0].timestamp_tolerance must be a duration", mark(7, 26)),
]

@Test(arguments: badTikTokValues)
func reportsABadValueAtItsMark(entry bad: ConfigEntry, mentions: String, at: ConfigMark) throws {
    let entries = bad.key == "secret" ? [bad] : [entry(3, "secret", "s"), bad]
    let errors = try makeSource(entries).errors
    try #require(errors.count == 1, "\(errors)")
    #expect(errors[0].message.contains(mentions), "\(errors[0])")
    #expect(errors[0].mark == at)
}

@Test func unknownKeysAreLeftToTheLoader() throws {
    let errors = try makeSource([entry(3, "secret", "s"), entry(4, "client_secret", "x")]).errors
    #expect(errors.map(\.mark) == [mark(4, 5)])
    #expect(errors.first?.message.contains("unknown key 'client_secret'") == true)
}
