import LeadGateSourceKit
import Testing

@testable import GoogleAdsSource

@Test func aKeyIsEnough() throws {
    #expect(try makeSource([entry(3, "key", "s3cret")]).errors.isEmpty)
}

@Test func aMissingKeyIsReportedAtTheBlock() throws {
    let errors = try makeSource([]).errors
    #expect(errors.map(\.description) == ["leadgate.yaml:2:5: sources[0] is missing required key 'key'"])
}

@Test func anEmptyKeyIsReportedAtItsValue() throws {
    let errors = try makeSource([entry(3, "key", "")]).errors
    #expect(errors.map(\.mark) == [mark(3, 10)])
    #expect(errors.first?.message.contains("sources[0].key is empty") == true)
}

@Test func aKeyOfTheWrongKindIsReported() throws {
    let list = ConfigValue.sequence([.scalar("a", mark(4, 9), quoted: false)], mark(4, 7))
    let errors = try makeSource([ConfigEntry(key: "key", keyMark: mark(3, 5), value: list)]).errors
    #expect(errors.map(\.mark) == [mark(4, 7)])
    #expect(errors.first?.message.contains("sources[0].key must be a string, found a list") == true)
}

@Test func unknownKeysAreLeftToTheLoader() throws {
    let errors = try makeSource([entry(3, "key", "k"), entry(4, "google_key", "k")]).errors
    #expect(errors.map(\.mark) == [mark(4, 5)])
    #expect(errors.first?.message.contains("unknown key 'google_key'") == true)
}
