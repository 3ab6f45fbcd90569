import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import WebFormSource

// MARK: - bodies

@Test func receivesURLEncodedForm() async throws {
    let source = try validSource([])
    let body = "your-name=%D7%93%D7%A0%D7%94+%D7%9B%D7%94%D7%9F&your-phone=054-123+4567&your-email=dana%40acme.co.il&utm_source=google"
    let drafts = try await source.receive(request(body: Array(body.utf8)))
    #expect(
        drafts == [
            LeadDraft(
                fields: [
                    RawField("your-name", "דנה כהן"), RawField("your-phone", "054-123 4567"), RawField("your-email", "dana@acme.co.il"),
                    RawField("utm_source", "google"),
                ], receivedAt: receivedAt)
        ])
}

@Test func receivesWindows1255Form() async throws {
    // An older Hebrew site whose page (and so its form) is in windows-1255: "שם=דנה כהן&עיר=תל אביב".
    let body = "%F9%ED=%E3%F0%E4+%EB%E4%EF&%F2%E9%F8=%FA%EC+%E0%E1%E9%E1"
    let drafts = try await validSource([]).receive(request(contentType: "application/x-www-form-urlencoded; charset=windows-1255", body: Array(body.utf8)))
    #expect(drafts.map(\.fields) == [[RawField("שם", "דנה כהן"), RawField("עיר", "תל אביב")]])
}

@Test func receivesMultipartForm() async throws {
    let body = [
        "------WebKitFormBoundaryePkpFF7tjBAqx29L",
        "Content-Disposition: form-data; name=\"full_name\"",
        "",
        "محمد عبد الله",
        "------WebKitFormBoundaryePkpFF7tjBAqx29L",
        "Content-Disposition: form-data; name=\"message\"",
        "",
        "Здравствуйте, 你好",
        "------WebKitFormBoundaryePkpFF7tjBAqx29L",
        "Content-Disposition: form-data; name=\"attachment\"; filename=\"brief.pdf\"",
        "Content-Type: application/pdf",
        "",
        "%PDF-1.7",
        "------WebKitFormBoundaryePkpFF7tjBAqx29L--",
        "",
    ].joined(separator: "\r\n")
    let drafts = try await validSource([]).receive(
        request(contentType: "multipart/form-data; boundary=----WebKitFormBoundaryePkpFF7tjBAqx29L", body: Array(body.utf8)))
    #expect(drafts.map(\.fields) == [[RawField("full_name", "محمد عبد الله"), RawField("message", "Здравствуйте, 你好")]])
}

@Test func receivesJSON() async throws {
    let body = #"{"name":"김민준","phone":"+82 10-1234-5678","lead":{"id":123456789012345678901},"consent":true}"#
    let drafts = try await validSource([]).receive(request(contentType: "application/json", body: Array(body.utf8)))
    #expect(
        drafts.map(\.fields) == [
            [RawField("name", "김민준"), RawField("phone", "+82 10-1234-5678"), RawField("lead.id", "123456789012345678901"), RawField("consent", "true")]
        ])
    #expect(drafts.first?.receivedAt == receivedAt)
}

@Test func receivesJSONBatchAtPath() async throws {
    let source = try validSource([line(3, "json_path", "data.leads")])
    let body = #"{"data":{"leads":[{"email":"a@acme.co.il"},{"email":"b@acme.co.il"}]}}"#
    let drafts = try await source.receive(request(contentType: "application/json", body: Array(body.utf8)))
    #expect(drafts.map(\.fields) == [[RawField("email", "a@acme.co.il")], [RawField("email", "b@acme.co.il")]])
    #expect(drafts.map(\.rawPayload) == [Array(#"{"email":"a@acme.co.il"}"#.utf8), Array(#"{"email":"b@acme.co.il"}"#.utf8)])
}

/// Webflow's documented form_submission webhook: the fields sit under payload.data, the phone is a JSON number.
@Test func readsWebflowWebhookAtItsPath() async throws {
    let source = try validSource([line(3, "json_path", "payload.data")])
    let drafts = try await source.receive(request(contentType: "application/json", body: try fixture("webflow_form_submission_webhook.json")))
    #expect(
        drafts.map(\.fields) == [
            [
                RawField("First Name", "Zaphod"), RawField("Last Name", "Beeblebrox"), RawField("email", "zaphod@heartofgold.ai"),
                RawField("Phone Number", "15550000000"),
            ]
        ])
}

/// Typeform's example form_response: answers are an array of objects, kept by index.
@Test func readsTypeformResponseAtItsPath() async throws {
    let source = try validSource([line(3, "json_path", "form_response")])
    let drafts = try await source.receive(request(contentType: "application/json", body: try fixture("typeform_form_response_webhook_2018.json")))
    let fields = try #require(drafts.first?.fields)
    let byKey = Dictionary(fields.map { ($0.key, $0.value) }, uniquingKeysWith: { first, _ in first })
    #expect(byKey["form_id"] == "lT4Z3j")
    #expect(byKey["calculated.score"] == "9")
    #expect(byKey["answers.1.email"] == "laura@example.com")
    #expect(byKey["answers.2.text"] == "Laura")
    #expect(byKey["answers.4.choices.labels"] == "London, Sydney")
    #expect(byKey["answers.6.boolean"] == "true")
    #expect(byKey["definition.fields.0.ref"] == "[readable_ref_long_text")
}

// MARK: - honeypot

@Test(arguments: [
    ("name=Dana&fax_number=http%3A%2F%2Fspam.example", "honeypot"),
    ("name=Dana&fax_number=", nil),
    ("name=Dana&fax_number=+++", nil),
    ("name=Dana", nil),
] as [(String, String?)])
func honeypotRejectsFilledAndIsNeverKept(body: String, rejection: String?) async throws {
    let source = try validSource([line(3, "honeypot", "fax_number")])
    let drafts = try await source.receive(request(body: Array(body.utf8)))
    #expect(drafts.map(\.rejection) == [rejection])
    #expect(drafts.map(\.fields) == [[RawField("name", "Dana")]])
}

// MARK: - authentication

private let secretSource = [line(3, "secret", "s3cret")]

@Test(arguments: [
    ([("X-LeadGate-Secret", "s3cret")], nil),
    ([("x-leadgate-secret", "s3cret")], nil),
    ([("X-LeadGate-Secret", "wrong")], "unauthorized"),
    ([("X-LeadGate-Secret", "s3cret ")], "unauthorized"),
    ([("X-LeadGate-Secret", "")], "unauthorized"),
    ([], "unauthorized"),
] as [([(String, String)], String?)])
func checksSharedSecret(headers: [(String, String)], code: String?) async throws {
    let source = try validSource(secretSource)
    let post = request(headers: headers)
    if let code {
        let error = try await #require(throws: SourceError.self) { try await source.receive(post) }
        #expect(error.status == 401)
        #expect(error.code == code)
        #expect(!error.authenticated)
        #expect(!error.message.contains("s3cret"))
    } else {
        #expect(try await source.receive(post).count == 1)
    }
}

@Test func sharedSecretHeaderCanBeRenamed() async throws {
    let source = try validSource([line(3, "secret", "s3cret"), line(4, "secret_header", "X-Form-Key")])
    #expect(try await source.receive(request(headers: [("X-Form-Key", "s3cret")])).count == 1)
    let error = try await #require(throws: SourceError.self) { try await source.receive(request(headers: [("X-LeadGate-Secret", "s3cret")])) }
    #expect(error.message.contains("X-Form-Key"))
}

private let signedBody = Array(#"{"email":"dana@acme.co.il"}"#.utf8)
private let goodSignature = Signature.hexEncoded(Signature.hmacSHA256(signedBody, key: Array("k3y".utf8)))

@Test(arguments: [
    ([("X-LeadGate-Signature", goodSignature)], nil),
    ([("X-LeadGate-Signature", "sha256=" + goodSignature.uppercased())], nil),
    ([("X-LeadGate-Signature", "sha256=" + String(goodSignature.reversed()))], "signature_mismatch"),
    ([("X-LeadGate-Signature", "not-hex")], "signature_mismatch"),
    ([], "unauthorized"),
] as [([(String, String)], String?)])
func checksHMACSignature(headers: [(String, String)], code: String?) async throws {
    let source = try validSource([line(3, "hmac_secret", "k3y")])
    let post = request(contentType: "application/json", body: signedBody, headers: headers)
    if let code {
        let error = try await #require(throws: SourceError.self) { try await source.receive(post) }
        #expect(error.status == 401)
        #expect(error.code == code)
    } else {
        #expect(try await source.receive(post).map(\.fields) == [[RawField("email", "dana@acme.co.il")]])
    }
}

@Test func signatureCoversTheExactBody() async throws {
    let source = try validSource([line(3, "hmac_secret", "k3y"), line(4, "signature_header", "X-Hub-Signature-256")])
    let tampered = Array(#"{"email":"eve@acme.co.il"}"#.utf8)
    let error = try await #require(throws: SourceError.self) {
        try await source.receive(request(contentType: "application/json", body: tampered, headers: [("X-Hub-Signature-256", "sha256=" + goodSignature)]))
    }
    #expect(error.code == "signature_mismatch")
    #expect(error.message.contains("X-Hub-Signature-256"))
}

@Test func authenticationComesBeforeParsing() async throws {
    let source = try validSource(secretSource)
    let error = try await #require(throws: SourceError.self) {
        try await source.receive(request(contentType: "text/plain", body: []))
    }
    #expect(error.status == 401)
}

@Test func postsFromOriginsNotAllowedAreForbidden() async throws {
    let source = try validSource([list(3, "allowed_origins", ["https://acme.co.il"])])
    #expect(try await source.receive(request(headers: [("Origin", "https://acme.co.il")])).count == 1)
    #expect(try await source.receive(request(headers: [("Origin", "https://ACME.co.il:443")])).count == 1)
    #expect(try await source.receive(request()).count == 1)  // a server-to-server post has no Origin
    let error = try await #require(throws: SourceError.self) {
        try await source.receive(request(headers: [("Origin", "https://evil.example")]))
    }
    #expect(error.status == 403)
    #expect(error.code == "origin_not_allowed")
    #expect(error.message.contains("https://evil.example"))
}

@Test func withoutAllowedOriginsPlainFormPostsFromAnyOriginAreTaken() async throws {
    let drafts = try await validSource([]).receive(request(headers: [("Origin", "https://acme.co.il")]))
    #expect(drafts.count == 1)
}

// MARK: - bad input

@Test(arguments: [
    ("text/plain", Array("name=Dana".utf8), 415, "unsupported_media_type"),
    (nil, Array("name=Dana".utf8), 415, "unsupported_media_type"),
    ("application/x-www-form-urlencoded", [], 400, "empty_body"),
    ("application/json", Array(#"{"name":"Dana","#.utf8), 400, "invalid_json"),
    ("application/json", Array(#"{"name":""#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), 400, "invalid_encoding"),
    ("application/x-www-form-urlencoded", Array("name=%C3%28".utf8), 400, "invalid_encoding"),
    ("multipart/form-data", Array("--x\r\n".utf8), 400, "missing_boundary"),
    ("multipart/form-data; boundary=x", Array("--x\r\nContent-Disposition: form-data; name=a\r\n\r\n1\r\n".utf8), 400, "unterminated_multipart"),
] as [(String?, [UInt8], Int, String)])
func refusesBadInput(contentType: String?, body: [UInt8], status: Int, code: String) async throws {
    let source = try validSource([])
    let error = try await #require(throws: SourceError.self) { try await source.receive(request(contentType: contentType, body: body)) }
    #expect(error.status == status)
    #expect(error.code == code)
    #expect(error.authenticated)
}

@Test func filesCanBeRefusedByConfig() async throws {
    let body = Array("--x\r\nContent-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"\r\n\r\n%PDF\r\n--x--".utf8)
    let post = request(contentType: "multipart/form-data; boundary=x", body: body)
    #expect(try await validSource([]).receive(post).map(\.fields) == [[]])
    let error = try await #require(throws: SourceError.self) { try await validSource([line(3, "files", "refuse")]).receive(post) }
    #expect(error.status == 415)
    #expect(error.code == "file_not_accepted")
}

@Test func fieldLimitComesFromConfig() async throws {
    let body = Array((0..<10_000).map { "f\($0)=%D7%90" }.joined(separator: "&").utf8)
    let tooMany = try await #require(throws: SourceError.self) { try await validSource([]).receive(request(body: body)) }
    #expect(tooMany.status == 413)
    let drafts = try await validSource([line(3, "max_fields", "10000")]).receive(request(body: body))
    #expect(drafts.first?.fields.count == 10_000)
    #expect(drafts.first?.fields.last == RawField("f9999", "א"))
}

@Test func aOneMegabyteFieldIsKeptWhole() async throws {
    let message = String(repeating: "ש", count: 1 << 19)
    let body = Array(#"{"message":""#.utf8) + Array(message.utf8) + Array(#""}"#.utf8)
    let drafts = try await validSource([]).receive(request(contentType: "application/json", body: body))
    #expect(drafts.first?.fields == [RawField("message", message)])
}
