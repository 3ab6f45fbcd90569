import Foundation
import LeadGateCore
import Testing

import LeadGateSourceKit

private func post(_ contentType: String?, _ body: [UInt8]) -> InboundRequest {
    InboundRequest(
        method: "POST", path: "/ingest/website", headers: contentType.map { [("Content-Type", $0)] } ?? [], body: body,
        receivedAt: Date(timeIntervalSince1970: 1_764_000_000))
}

private func decode(_ contentType: String?, _ body: [UInt8], options: FormDecodingOptions = FormDecodingOptions()) throws -> [FormSubmission] {
    try FormBody.decode(post(contentType, body), options: options)
}

private func fields(_ contentType: String?, _ body: String, options: FormDecodingOptions = FormDecodingOptions()) throws -> [RawField] {
    let submissions = try decode(contentType, Array(body.utf8), options: options)
    try #require(submissions.count == 1)
    return submissions[0].fields
}

private func failure(_ contentType: String?, _ body: [UInt8], options: FormDecodingOptions = FormDecodingOptions()) throws -> SourceError {
    try #require(throws: SourceError.self) { try decode(contentType, body, options: options) }
}

private func failure(_ contentType: String?, _ body: String, options: FormDecodingOptions = FormDecodingOptions()) throws -> SourceError {
    try failure(contentType, Array(body.utf8), options: options)
}

private let urlencoded = "application/x-www-form-urlencoded"
private let multipart = "multipart/form-data; boundary=XyZ"
private let json = "application/json"

// MARK: - urlencoded

@Test(arguments: [
    ("name=%D7%93%D7%A0%D7%94+%D7%9B%D7%94%D7%9F&phone=054-123+4567&email=dana%40acme.co.il",
     [RawField("name", "דנה כהן"), RawField("phone", "054-123 4567"), RawField("email", "dana@acme.co.il")]),
    // Empty pairs are skipped; a name alone has an empty value; repeats keep their order.
    ("a=1&&b=&c&a=2", [RawField("a", "1"), RawField("b", ""), RawField("c", ""), RawField("a", "2")]),
    // A '%' without two hex digits stays as written; %2B is a plus, not a space.
    ("discount=100%&x=%zz&y=%2B1", [RawField("discount", "100%"), RawField("x", "%zz"), RawField("y", "+1")]),
    ("%D7%A9%D7%9D=%D9%85%D8%B1%D8%AD%D8%A8%D8%A7&city=%D0%9C%D0%BE%D1%81%D0%BA%D0%B2%D0%B0&note=%E6%97%A5%E6%9C%AC%E8%AA%9E",
     [RawField("שם", "مرحبا"), RawField("city", "Москва"), RawField("note", "日本語")]),
    ("form_fields%5Bemail%5D=a%40b.co", [RawField("form_fields[email]", "a@b.co")]),
])
func decodesURLEncoded(body: String, expected: [RawField]) throws {
    #expect(try fields(urlencoded, body) == expected)
}

@Test func urlencodedHonoursCharsetFromHeaderOrCharsetField() throws {
    // "דנה כהן" in windows-1255, as an old Hebrew site's form sends it.
    let hebrew = "name=%E3%F0%E4+%EB%E4%EF&city=%FA%EC+%E0%E1%E9%E1"
    let expected = [RawField("name", "דנה כהן"), RawField("city", "תל אביב")]
    #expect(try fields("application/x-www-form-urlencoded; charset=windows-1255", hebrew) == expected)
    #expect(try fields(urlencoded, "_charset_=windows-1255&" + hebrew) == expected)
    #expect(try fields(urlencoded, hebrew + "&_charset_=ISO-8859-8") == expected)
}

@Test func urlencodedInvalidUTF8NamesTheField() throws {
    let value = try failure(urlencoded, "ok=1&name=%E3%F0%E4")
    #expect(value.status == 400)
    #expect(value.code == "invalid_encoding")
    #expect(value.message.contains("field 'name'"))
    #expect(value.authenticated)

    let name = try failure(urlencoded, "ok=1&%FF=1")
    #expect(name.code == "invalid_encoding")
    #expect(name.message.contains("field #2"))
}

@Test func unknownCharsetIsUnsupported() throws {
    let error = try failure("application/x-www-form-urlencoded; charset=x-klingon", "a=1")
    #expect(error.status == 415)
    #expect(error.code == "unsupported_charset")
    #expect(error.message.contains("x-klingon"))
}

// MARK: - multipart

private func crlf(_ lines: [String]) -> String { lines.joined(separator: "\r\n") }

@Test func decodesBrowserMultipart() throws {
    let body = crlf([
        "This preamble is ignored.",
        "--XyZ",
        "Content-Disposition: form-data; name=\"שם\"",
        "",
        "דנה כהן",
        "--XyZ",
        "content-disposition: form-data; name=\"message\"",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "line one",
        "--XyZzy is not a boundary line",
        "",
        "--XyZ",
        "Content-Disposition: form-data; name=\"empty\"",
        "",
        "",
        "--XyZ",
        "Content-Disposition: form-data; name=\"say \\\"hi\\\"\"",
        "",
        "مرحبا 日本語 Привет",
        "--XyZ--",
        "epilogue, ignored",
    ])
    #expect(
        try fields(multipart, body) == [
            RawField("שם", "דנה כהן"),
            RawField("message", "line one\r\n--XyZzy is not a boundary line\r\n"),
            RawField("empty", ""),
            RawField("say \"hi\"", "مرحبا 日本語 Привет"),
        ])
}

@Test func multipartToleratesBareLineFeedsAndPadding() throws {
    let body = "--XyZ  \nContent-Disposition: form-data; name=a\n\n1\n--XyZ\t\nContent-Disposition: form-data; name=b\n\nשתיים\n--XyZ--\n"
    #expect(try fields(multipart, body) == [RawField("a", "1"), RawField("b", "שתיים")])
}

@Test func multipartQuotedBoundaryAndMissingBlankLineBeforeEmptyValue() throws {
    let body = crlf(["--a;b", "Content-Disposition: form-data; name=\"x\"", "", "--a;b--", ""])
    #expect(try fields("multipart/form-data; boundary=\"a;b\"", body) == [RawField("x", "")])
}

@Test func multipartCharsets() throws {
    // windows-1255 "שלום" in a part that says so, and in parts that follow the `_charset_` field.
    var body = Array(crlf(["--XyZ", "Content-Disposition: form-data; name=\"a\"", "Content-Type: text/plain; charset=windows-1255", "", ""]).utf8)
    body += [0xF9, 0xEC, 0xE5, 0xED]
    body += Array(crlf(["", "--XyZ", "Content-Disposition: form-data; name=\"_charset_\"", "", "iso-8859-8", "--XyZ", "Content-Disposition: form-data; name=\"b\"", "", ""]).utf8)
    body += [0xF9, 0xEC, 0xE5, 0xED]
    body += Array(crlf(["", "--XyZ--"]).utf8)
    let submissions = try decode(multipart, body)
    #expect(submissions.map(\.fields) == [[RawField("a", "שלום"), RawField("b", "שלום")]])
}

@Test func multipartInvalidUTF8NamesTheField() throws {
    var body = Array(crlf(["--XyZ", "Content-Disposition: form-data; name=\"phone\"", "", ""]).utf8)
    body += [0xF9, 0xEC]
    body += Array(crlf(["", "--XyZ--"]).utf8)
    let error = try failure(multipart, body)
    #expect(error.code == "invalid_encoding")
    #expect(error.message.contains("field 'phone'"))
}

@Test func multipartExtendedParameters() throws {
    let body = crlf([
        "--XyZ",
        "Content-Disposition: form-data; name*=UTF-8''%D7%A9%D7%9D",
        "",
        "דנה",
        "--XyZ",
        "Content-Disposition: form-data; name*0*=UTF-8''%D7%98%D7%9C; name*1*=%D7%A4%D7%95%D7%9F; name=\"fallback\"",
        "",
        "054-1234567",
        "--XyZ--",
    ])
    #expect(try fields(multipart, body) == [RawField("שם", "דנה"), RawField("טלפון", "054-1234567")])
}

private let withFiles = crlf([
    "--XyZ",
    "Content-Disposition: form-data; name=\"email\"",
    "",
    "dana@acme.co.il",
    "--XyZ",
    "Content-Disposition: form-data; name=\"cv\"; filename=\"cv.pdf\"; filename*=UTF-8''%D7%A7%D7%95%D7%A8%D7%95%D7%AA.pdf",
    "Content-Type: application/pdf",
    "",
    "%PDF-1.4 \u{1}\u{2}",
    "--XyZ",
    "Content-Disposition: form-data; name=\"photo\"; filename=\"C:\\Users\\dana\\me.jpg\"",
    "",
    "JFIF",
    "--XyZ--",
])

@Test func filePartsAreIgnoredByDefault() throws {
    #expect(try fields(multipart, withFiles) == [RawField("email", "dana@acme.co.il")])
}

@Test func filePartsCanBeRefused() throws {
    let error = try failure(multipart, withFiles, options: FormDecodingOptions(files: .refuse))
    #expect(error.status == 415)
    #expect(error.code == "file_not_accepted")
    #expect(error.message.contains("'cv'"))
    #expect(error.message.contains("קורות.pdf"))
}

@Test func anEmptyFileInputIsNotAFile() throws {
    let body = crlf([
        "--XyZ", "Content-Disposition: form-data; name=\"cv\"; filename=\"\"", "Content-Type: application/octet-stream", "", "",
        "--XyZ", "Content-Disposition: form-data; name=\"a\"", "", "1", "--XyZ--",
    ])
    #expect(try fields(multipart, body, options: FormDecodingOptions(files: .refuse)) == [RawField("a", "1")])
}

@Test(arguments: [
    ("multipart/form-data", crlf(["--XyZ", "Content-Disposition: form-data; name=a", "", "1", "--XyZ--"]), "missing_boundary", "boundary"),
    (multipart, "a=1&b=2", "boundary_not_found", "--XyZ"),
    (multipart, crlf(["--XyZ", "Content-Disposition: form-data; name=a", "", "1"]), "unterminated_multipart", "--XyZ--"),
    (multipart, crlf(["--XyZ", "Content-Disposition: form-data; name=a", "", "1", "--XyZ"]), "unterminated_multipart", "part #1"),
    (multipart, crlf(["--XyZ", "Content-Disposition: form-data; name=a", "", "1", "--XyZ", "Content-Disposition: form-data; name=b", "", "2"]),
     "unterminated_multipart", "part #2"),
    (multipart, crlf(["--XyZ", "Content-Type: text/plain", "", "1", "--XyZ--"]), "malformed_multipart", "Content-Disposition"),
    (multipart, crlf(["--XyZ", "Content-Disposition: attachment; name=a", "", "1", "--XyZ--"]), "malformed_multipart", "form-data"),
    (multipart, crlf(["--XyZ", "Content-Disposition: form-data; name=a", "value with no blank line before it", "--XyZ--"]),
     "malformed_multipart", "blank line"),
])
func refusesBrokenMultipart(contentType: String, body: String, code: String, mentions: String) throws {
    let error = try failure(contentType, body)
    #expect(error.status == 400)
    #expect(error.code == code)
    #expect(error.message.contains(mentions))
}

// MARK: - JSON

@Test func flattensJSON() throws {
    let body = """
        {"name":"דנה","id":12345678901234567890123,"leadgen_id":444444444444444444,"price":1.50,"exp":1e5,"neg":-0.5,
         "ok":true,"no":false,"nothing":null,"address":{"city":"תל אביב","geo":{"lat":32.08}},
         "tags":["a","b",3,true,null],"empty":[],"items":[{"sku":"x"},{"sku":"y"}],"matrix":[[1,2],[3]],
         "escaped":"line\\nbreak \\"q\\" \\u05D3 \\uD83D\\uDE00 \\/"}
        """
    #expect(
        try fields(json, body) == [
            RawField("name", "דנה"), RawField("id", "12345678901234567890123"), RawField("leadgen_id", "444444444444444444"),
            RawField("price", "1.50"), RawField("exp", "1e5"), RawField("neg", "-0.5"), RawField("ok", "true"), RawField("no", "false"),
            RawField("address.city", "תל אביב"), RawField("address.geo.lat", "32.08"), RawField("tags", "a, b, 3, true"),
            RawField("items.0.sku", "x"), RawField("items.1.sku", "y"), RawField("matrix.0", "1, 2"), RawField("matrix.1", "3"),
            RawField("escaped", "line\nbreak \"q\" ד 😀 /"),
        ])
}

@Test func topLevelArrayIsOneSubmissionPerElement() throws {
    let body = #"[ {"email":"a@x.co"} , {"email":"b@x.co","tags":["x"]} ]"#
    let submissions = try decode(json, Array(body.utf8))
    #expect(submissions.map(\.fields) == [[RawField("email", "a@x.co")], [RawField("email", "b@x.co"), RawField("tags", "x")]])
    #expect(submissions.map { $0.rawPayload.map { String(decoding: $0, as: UTF8.self) } } == [#"{"email":"a@x.co"}"#, #"{"email":"b@x.co","tags":["x"]}"#])
}

@Test(arguments: [
    (#"{"data":{"lead":{"email":"a@x.co"}}}"#, "data.lead", [[RawField("email", "a@x.co")]]),
    (#"{"payload":[{"fields":{"x":"1"}}]}"#, "payload.0.fields", [[RawField("x", "1")]]),
    (#"{"leads":[{"x":"1"},{"x":"2"}]}"#, "leads", [[RawField("x", "1")], [RawField("x", "2")]]),
    (#"{"x":{}}"#, "x", [[]]),
])
func followsJSONPath(body: String, path: String, expected: [[RawField]]) throws {
    let jsonPath = try #require(JSONPath(path))
    let options = FormDecodingOptions(jsonPath: jsonPath)
    #expect(try decode(json, Array(body.utf8), options: options).map(\.fields) == expected)
}

@Test func jsonPathParsing() {
    #expect(JSONPath("payload.0.fields")?.segments == ["payload", "0", "fields"])
    #expect(JSONPath("data")?.description == "data")
    #expect(JSONPath("") == nil)
    #expect(JSONPath("a..b") == nil)
    #expect(JSONPath(".a") == nil)
    #expect(JSONPath("a.") == nil)
}

@Test func jsonReadsOtherContentTypesAndCharsets() throws {
    #expect(try fields("application/vnd.api+json", #"{"a":"1"}"#) == [RawField("a", "1")])
    // A byte-order mark is skipped.
    #expect(try decode(json, [0xEF, 0xBB, 0xBF] + Array(#"{"a":"ש"}"#.utf8)).map(\.fields) == [[RawField("a", "ש")]])
    // UTF-16 (its mark picks the byte order) is transcoded.
    let utf16: [UInt8] = [0xFF, 0xFE] + #"{"a":"ש"}"#.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
    #expect(try decode("application/json; charset=utf-16", utf16).map(\.fields) == [[RawField("a", "ש")]])
}

@Test(arguments: [
    (#"{"name":"Dana""#, "invalid_json", "byte 14"),
    (#"{"name":"Dana"} x"#, "invalid_json", "byte 16"),
    (#"{"a":01}"#, "invalid_json", "byte 6"),
    (#"{'a':1}"#, "invalid_json", "byte 1"),
    (#"{"a":tru}"#, "invalid_json", "byte 5"),
    (#"{"a":"\uD800"}"#, "invalid_json", "surrogate"),
    (#"{"a":"\x"}"#, "invalid_json", "escape"),
    ("{\"a\":\"tab\there\"}", "invalid_json", "control character"),
    ("  ", "invalid_json", "end of the body"),
    (String(repeating: "[", count: 100_000), "invalid_json", "nested deeper"),
    (#""just a string""#, "unexpected_json", "a string"),
    ("[1,2]", "unexpected_json", "element 0"),
])
func refusesBadJSON(body: String, code: String, mentions: String) throws {
    let error = try failure(json, body)
    #expect(error.status == 400)
    #expect(error.code == code)
    #expect(error.message.contains(mentions))
}

@Test func invalidUTF8InJSONIsAnEncodingError() throws {
    let error = try failure(json, Array(#"{"a":""#.utf8) + [0xFF] + Array(#""}"#.utf8))
    #expect(error.code == "invalid_encoding")
    #expect(error.message.contains("byte 6"))
}

@Test(arguments: [
    (#"{"data":{}}"#, "data.lead", "'data' has no key 'lead'"),
    (#"{"data":[{}]}"#, "data.1", "array of 1"),
    (#"{"data":"x"}"#, "data.lead", "'data' is a string"),
    (#"[]"#, "lead", "the top level is an array"),
])
func reportsMissingJSONPath(body: String, path: String, mentions: String) throws {
    let jsonPath = try #require(JSONPath(path))
    let error = try failure(json, body, options: FormDecodingOptions(jsonPath: jsonPath))
    #expect(error.code == "json_path_not_found")
    #expect(error.message.contains(mentions))
}

// MARK: - content types, empty bodies, limits

@Test(arguments: [
    (nil, "no Content-Type"),
    ("text/plain", "'text/plain'"),
    ("text/plain; charset=utf-8", "application/json"),
    ("garbage", "'garbage'"),
])
func refusesOtherContentTypes(contentType: String?, mentions: String) throws {
    let error = try failure(contentType, "a=1")
    #expect(error.status == 415)
    #expect(error.code == "unsupported_media_type")
    #expect(error.message.contains(mentions))
}

@Test(arguments: [urlencoded, multipart, json])
func refusesEmptyBody(contentType: String) throws {
    let error = try failure(contentType, [])
    #expect(error.status == 400)
    #expect(error.code == "empty_body")
}

@Test func defaultFieldLimitIsAThousand() throws {
    let body = (0..<1_001).map { "f\($0)=x" }.joined(separator: "&")
    let error = try failure(urlencoded, body)
    #expect(error.status == 413)
    #expect(error.code == "payload_too_large")
    #expect(error.message.contains("1000"))
    #expect(error.message.contains("max_fields"))
    #expect(try fields(urlencoded, (0..<1_000).map { "f\($0)=x" }.joined(separator: "&")).count == 1_000)
}

@Test func fieldLimitCountsEveryBodyType() throws {
    let limit = FormDecodingOptions(maxFields: 3)
    #expect(try failure(json, #"{"a":1,"b":{"c":2,"d":3}}"#, options: FormDecodingOptions(maxFields: 2)).code == "payload_too_large")
    #expect(try failure(json, "[{},{},{},{}]", options: limit).code == "payload_too_large")
    let parts = (0..<4).map { "--XyZ\r\nContent-Disposition: form-data; name=f\($0)\r\n\r\nx\r\n" }.joined() + "--XyZ--"
    #expect(try failure(multipart, parts, options: limit).code == "payload_too_large")
}

/// Generous bounds: a linear decoder takes milliseconds; a quadratic one takes minutes.
private let quickly = Duration.seconds(5)

@Test func tenThousandFieldsDecodeQuickly() throws {
    let options = FormDecodingOptions(maxFields: 10_000)
    let urlBody = (0..<10_000).map { "field\($0)=%D7%A2%D7%A8%D7%9A+\($0)" }.joined(separator: "&")
    let jsonBody = "{" + (0..<10_000).map { "\"field\($0)\":\"ערך \($0)\"" }.joined(separator: ",") + "}"
    let multipartBody = (0..<10_000).map { "--XyZ\r\nContent-Disposition: form-data; name=\"field\($0)\"\r\n\r\nערך \($0)\r\n" }.joined() + "--XyZ--"
    for (type, body) in [(urlencoded, urlBody), (json, jsonBody), (multipart, multipartBody)] {
        var decoded: [RawField] = []
        let elapsed = try ContinuousClock().measure { decoded = try fields(type, body, options: options) }
        #expect(decoded.count == 10_000, "\(type)")
        #expect(decoded.last == RawField("field9999", "ערך 9999"), "\(type)")
        #expect(elapsed < quickly, "\(type) took \(elapsed)")
    }
}

@Test func aOneMegabyteFieldDecodesQuickly() throws {
    let text = String(repeating: "א", count: 512 * 1024)  // 1 MiB of UTF-8
    let bodies = [
        (urlencoded, "message=" + String(repeating: "%D7%90", count: 512 * 1024)),
        (json, "{\"message\":\"\(text)\"}"),
        (multipart, "--XyZ\r\nContent-Disposition: form-data; name=\"message\"\r\n\r\n\(text)\r\n--XyZ--"),
    ]
    for (type, body) in bodies {
        var decoded: [RawField] = []
        let elapsed = try ContinuousClock().measure { decoded = try fields(type, body) }
        #expect(decoded.first?.value == text, "\(type)")
        #expect(elapsed < quickly, "\(type) took \(elapsed)")
    }
}

@Test func windows1255OneMegabyteFieldDecodesQuickly() throws {
    let body = "message=" + String(repeating: "%F9", count: 1 << 20)
    var decoded: [RawField] = []
    let elapsed = try ContinuousClock().measure {
        decoded = try fields("application/x-www-form-urlencoded; charset=windows-1255", body)
    }
    #expect(decoded.first?.value.unicodeScalars.count == 1 << 20)
    #expect(decoded.first?.value.hasPrefix("שש") == true)
    #expect(elapsed < quickly)
}
