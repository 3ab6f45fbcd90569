import Foundation
import LeadGateCore
import LeadGateSourceKit
import LinkedInLeadsSource
import MetaLeadAdsSource

/// What the conformance suite needs to drive one push adapter: the adapter, and requests as its sender makes them.
///
/// Every adapter carries a contact email `conformance@example.com` and a free-text answer, wherever its platform
/// puts them: in the request, or (for adapters that fetch answers later) in the API answer its fetcher gets.
struct AdapterFixture: Sendable, CustomStringConvertible {
    let description: String
    /// The adapter; one that fetches answers gets `text` back as the free-text answer.
    let makeSource: @Sendable (_ text: String) throws -> any PushSource
    /// A valid submission with external id `id` (where the platform sends one) and `text` (where the request carries
    /// it); with `unknownKeys`, also keys the adapter has never heard of, at the top and inside the lead.
    let payload: @Sendable (_ text: String, _ id: String, _ unknownKeys: Bool) -> [UInt8]
    /// `body` POSTed as the platform sends it, with valid credentials (a body that must carry its own key has it only if built by `payload`).
    let signed: @Sendable (_ body: [UInt8]) -> InboundRequest
    /// The valid request of `body` with its credentials wrong.
    let forged: @Sendable (_ body: [UInt8]) -> InboundRequest
    /// The request of `body` with no credentials at all.
    let unsigned: @Sendable (_ body: [UInt8]) -> InboundRequest
}

let contactEmail = "conformance@example.com"
let receivedAt = Date(timeIntervalSince1970: 1_764_324_000)

/// The drafts of `request`, completed when the adapter fetches answers (as the pipeline will, once the touch is committed).
func settledDrafts(of request: InboundRequest, by source: any PushSource) async throws -> [LeadDraft] {
    let drafts = try await source.receive(request)
    guard let enriching = source as? any EnrichingSource else { return drafts }
    var settled: [LeadDraft] = []
    for draft in drafts {
        settled.append(try await enriching.complete(draft))
    }
    return settled
}

/// A POST of `body` with `headers`.
func request(_ body: [UInt8], headers: [(String, String)], contentType: String = "application/json") -> InboundRequest {
    InboundRequest(
        method: "POST", path: "/ingest/conformance", headers: ([("Content-Type", contentType)] + headers).map { (name: $0.0, value: $0.1) },
        body: body, remoteAddress: "127.0.0.1", receivedAt: receivedAt)
}

/// `text` as a JSON string literal, escaped as a JSON encoder escapes it.
func json(_ text: String) -> String {
    String(decoding: (try? JSONEncoder().encode(text)) ?? Data("\"\"".utf8), as: UTF8.self)
}

func hexHMAC(_ message: [UInt8], key: String) -> String {
    Signature.hexEncoded(Signature.hmacSHA256(message, key: Array(key.utf8)))
}

/// A source block of `pairs`, read by `make`; any config error fails the fixture.
func configured<Source>(_ pairs: [(String, String)], _ make: (ConfigSection) throws -> Source) throws -> Source {
    let diagnostics = ConfigDiagnostics()
    let mark = ConfigMark(file: "conformance.yaml", line: 1, column: 1)
    let entries = pairs.map { ConfigEntry(key: $0.0, keyMark: mark, value: .scalar($0.1, mark, quoted: false)) }
    let section = ConfigSection(.mapping(entries, mark), path: "sources[0]", diagnostics: diagnostics)
    let source = try make(section)
    section.finish()
    guard diagnostics.errors.isEmpty else { throw ConfigProblem(errors: diagnostics.errors) }
    return source
}

struct ConfigProblem: Error {
    let errors: [ConfigError]
}

/// The API answer of adapters that fetch a lead's answers later (Meta, LinkedIn).
struct CannedAnswer: HTTPFetching {
    let body: [UInt8]

    func get(url: String, headers: [(name: String, value: String)]) async throws -> (status: Int, body: [UInt8]) {
        (200, body)
    }
}
