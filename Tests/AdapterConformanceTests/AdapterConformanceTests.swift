import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

// The checks every push adapter passes, run against each adapter of `allFixtures`.

@Test(arguments: allFixtures)
func acceptsAValidSubmission(_ fixture: AdapterFixture) async throws {
    let source = try fixture.makeSource("hello")
    let drafts = try await settledDrafts(of: fixture.signed(fixture.payload("hello", "id-1", false)), by: source)
    try #require(drafts.count == 1)
    #expect(drafts[0].fields.contains { $0.value == contactEmail })
    #expect(drafts[0].fields.contains { $0.value == "hello" })
    #expect(!drafts[0].fields.contains { $0.key.hasPrefix("_") }, "a completed draft has no pending marker")
}

@Test(arguments: allFixtures)
func refusesForgedCredentials(_ fixture: AdapterFixture) async throws {
    let source = try fixture.makeSource("x")
    let error = try await #require(throws: SourceError.self) { try await source.receive(fixture.forged(fixture.payload("x", "id-1", false))) }
    #expect([401, 403].contains(error.status))
    #expect(!error.authenticated, "an unauthenticated request is not quarantined")
    #expect(!error.code.isEmpty && !error.message.isEmpty)
}

@Test(arguments: allFixtures)
func refusesMissingCredentials(_ fixture: AdapterFixture) async throws {
    let source = try fixture.makeSource("x")
    let error = try await #require(throws: SourceError.self) { try await source.receive(fixture.unsigned(fixture.payload("x", "id-1", false))) }
    #expect(error.status == 401)
    #expect(!error.authenticated)
}

@Test(arguments: allFixtures)
func ignoresUnknownFields(_ fixture: AdapterFixture) async throws {
    let source = try fixture.makeSource("text")
    let plain = try await settledDrafts(of: fixture.signed(fixture.payload("text", "id-1", false)), by: source)
    let extended = try await settledDrafts(of: fixture.signed(fixture.payload("text", "id-1", true)), by: source)
    // A web form keeps every field it is sent; the platforms' adapters drop what they do not know.
    let known = extended.map { draft in
        var draft = draft
        draft.fields.removeAll { $0.key.contains("zz_unknown") }
        draft.rawPayload = nil
        return draft
    }
    #expect(known == plain.map { draft in
        var draft = draft
        draft.rawPayload = nil
        return draft
    })
}

@Test(arguments: allFixtures)
func theSamePayloadGivesTheSameDraft(_ fixture: AdapterFixture) async throws {
    let source = try fixture.makeSource("twice")
    let request = fixture.signed(fixture.payload("twice", "id-7", false))
    let first = try await settledDrafts(of: request, by: source)
    let second = try await settledDrafts(of: request, by: source)
    #expect(first == second)
    // Where the platform gives an id, it is the idempotency key: another submission has another one.
    let other = try await settledDrafts(of: fixture.signed(fixture.payload("twice", "id-8", false)), by: source)
    if let id = first.first?.externalID {
        #expect(other.first?.externalID != id)
    }
}

/// Hebrew, Arabic, Russian, Chinese and Japanese, and the characters that trip up escaping and normalization.
let nonLatinTexts = [
    "דנה כהן, רח׳ הרצל 12, תל־אביב", "محمد عبد الله — الرياض", "Здравствуйте, Ёлка", "你好，世界 株式会社テスト",
    "שָׁלוֹם e\u{301} 👩🏽‍💻 \"quoted\" \\ /",
]

@Test(arguments: allFixtures, nonLatinTexts)
func keepsNonLatinTextIntact(_ fixture: AdapterFixture, text: String) async throws {
    let source = try fixture.makeSource(text)
    let drafts = try await settledDrafts(of: fixture.signed(fixture.payload(text, "id-1", false)), by: source)
    #expect(drafts.first?.fields.contains { $0.value.unicodeScalars.elementsEqual(text.unicodeScalars) } == true, "\(drafts)")
}

@Test(arguments: allFixtures)
func handlesOversizedInputWithoutCrashing(_ fixture: AdapterFixture) async throws {
    let huge = String(repeating: "שלום עולם 0123456789 ", count: 150_000)  // about 4 MiB of UTF-8
    let source = try fixture.makeSource(huge)
    do {
        let drafts = try await settledDrafts(of: fixture.signed(fixture.payload(huge, "id-1", false)), by: source)
        #expect(drafts.first?.fields.contains { $0.value == huge } == true)
    } catch let error as SourceError {
        #expect([400, 413].contains(error.status), "\(error)")
    }
    let nested = Array(String(repeating: "[", count: 1 << 20).utf8)
    let error = try await #require(throws: SourceError.self) { try await source.receive(fixture.signed(nested)) }
    #expect([400, 401, 413].contains(error.status))
}

@Test(arguments: allFixtures)
func refusesAnEmptyBodyClearly(_ fixture: AdapterFixture) async throws {
    let source = try fixture.makeSource("x")
    let error = try await #require(throws: SourceError.self) { try await source.receive(fixture.signed([])) }
    #expect((400..<500).contains(error.status))
    #expect(!error.code.isEmpty)
    #expect(!error.message.isEmpty)
}
