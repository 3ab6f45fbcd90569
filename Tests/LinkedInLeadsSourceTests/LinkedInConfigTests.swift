import LeadGateSourceKit
import Testing

@testable import LinkedInLeadsSource

@Test func theRequiredKeysAreEnough() throws {
    #expect(try validSource().apiURL == LinkedInLeadsSource.defaultAPIURL)
}

@Test func everyMissingRequiredKeyIsReportedAtTheBlock() throws {
    let errors = try makeSource([]).errors
    #expect(
        errors.map(\.description) == [
            "leadgate.yaml:2:5: sources[0] is missing required key 'client_secret'",
            "leadgate.yaml:2:5: sources[0] is missing required key 'access_token'",
            "leadgate.yaml:2:5: sources[0] is missing required key 'api_version'",
        ])
}

/// One bad value per row: the error must name the key and stand at the value's own line and column.
let badLinkedInValues: [(entry: ConfigEntry, mentions: String, at: ConfigMark)] = [
    (entry(3, "client_secret", ""), "sources[0].client_secret is empty", mark(3, 20)),
    (entry(4, "access_token", ""), "sources[0].access_token is empty", mark(4, 19)),
    (entry(5, "api_version", ""), "sources[0].api_version is empty", mark(5, 18)),
    (entry(5, "api_version", "2026-01"), "sources[0].api_version must be a LinkedIn-Version month like 202601, found '2026-01'", mark(5, 18)),
    (entry(5, "api_version", "202613"), "found '202613'", mark(5, 18)),
    (entry(5, "api_version", "２０２６０１"), "api_version", mark(5, 18)),
    (entry(6, "api_url", "api.linkedin.com/rest"), "sources[0].api_url must be an absolute URL", mark(6, 14)),
]

@Test(arguments: badLinkedInValues)
func reportsABadValueAtItsMark(entry bad: ConfigEntry, mentions: String, at: ConfigMark) throws {
    let errors = try makeSource(requiredEntries.filter { $0.key != bad.key } + [bad]).errors
    try #require(errors.count == 1, "\(errors)")
    #expect(errors[0].message.contains(mentions), "\(errors[0])")
    #expect(errors[0].mark == at)
}

@Test func unknownKeysAreLeftToTheLoader() throws {
    let errors = try makeSource(requiredEntries + [entry(6, "client_id", "x")]).errors
    #expect(errors.map(\.mark) == [mark(6, 5)])
    #expect(errors.first?.message.contains("unknown key 'client_id'") == true)
}
