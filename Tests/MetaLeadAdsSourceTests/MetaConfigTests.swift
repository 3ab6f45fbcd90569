import LeadGateSourceKit
import Testing

@testable import MetaLeadAdsSource

@Test func theRequiredKeysAreEnough() throws {
    let source = try validSource()
    #expect(source.graphURL == MetaLeadAdsSource.defaultGraphURL)
    #expect(source.graphFields == MetaLeadAdsSource.defaultGraphFields)
}

@Test func everyMissingRequiredKeyIsReportedAtTheBlock() throws {
    let errors = try makeSource([]).errors
    #expect(
        errors.map(\.description) == [
            "leadgate.yaml:2:5: sources[0] is missing required key 'verify_token'",
            "leadgate.yaml:2:5: sources[0] is missing required key 'app_secret'",
            "leadgate.yaml:2:5: sources[0] is missing required key 'page_access_token'",
        ])
}

/// One bad value per row: the error must name the key and stand at the value's own line and column.
let badMetaValues: [(entry: ConfigEntry, mentions: String, at: ConfigMark)] = [
    (entry(3, "verify_token", ""), "sources[0].verify_token is empty", mark(3, 19)),
    (entry(4, "app_secret", ""), "sources[0].app_secret is empty", mark(4, 17)),
    (entry(5, "page_access_token", ""), "sources[0].page_access_token is empty", mark(5, 24)),
    (entry(6, "graph_url", "graph.facebook.com/v25.0"), "sources[0].graph_url must be an absolute URL", mark(6, 16)),
    (entry(6, "graph_url", "ftp://graph.facebook.com"), "found 'ftp://graph.facebook.com'", mark(6, 16)),
    (entry(6, "graph_url", "https://graph.facebook.com/v25.0?x=1"), "graph_url", mark(6, 16)),
    (entry(7, "graph_fields", "field_data, email"), "sources[0].graph_fields must be Graph API field names", mark(7, 19)),
    (entry(7, "graph_fields", ""), "graph_fields", mark(7, 19)),
]

@Test(arguments: badMetaValues)
func reportsABadValueAtItsMark(entry bad: ConfigEntry, mentions: String, at: ConfigMark) throws {
    let entries = requiredEntries.filter { $0.key != bad.key } + [bad]
    let errors = try makeSource(entries).errors
    try #require(errors.count == 1, "\(errors)")
    #expect(errors[0].message.contains(mentions), "\(errors[0])")
    #expect(errors[0].mark == at)
}

@Test func aGraphURLLosesItsTrailingSlash() throws {
    let source = try validSource([entry(6, "graph_url", "http://127.0.0.1:9000/v25.0/")])
    #expect(source.graphURL == "http://127.0.0.1:9000/v25.0")
}

@Test func unknownKeysAreLeftToTheLoader() throws {
    let errors = try makeSource(requiredEntries + [entry(6, "access_token", "x")]).errors
    #expect(errors.map(\.mark) == [mark(6, 5)])
    #expect(errors.first?.message.contains("unknown key 'access_token'") == true)
}
