import Testing

import LeadGateSourceKit

@Test(arguments: [
    ("text/plain; charset=windows-1255", "text/plain", ["charset": "windows-1255"]),
    ("Text/HTML; Charset=\"UTF-8\"", "text/html", ["charset": "UTF-8"]),
    ("multipart/alternative; boundary=\"==b1_7f3c\"", "multipart/alternative", ["boundary": "==b1_7f3c"]),
    ("multipart/mixed; boundary=----=_Part_0_1.2", "multipart/mixed", ["boundary": "----=_Part_0_1.2"]),
    ("multipart/mixed;\tboundary = \"a b\" ; x=1", "multipart/mixed", ["boundary": "a b", "x": "1"]),
    // RFC 2045 comments, and a missing semicolon after the type.
    ("text/plain; charset=us-ascii (Plain text)", "text/plain", ["charset": "us-ascii"]),
    ("text/plain (comment) ; charset=utf-8", "text/plain", ["charset": "utf-8"]),
    ("text/plain charset=utf-8", "text/plain", ["charset": "utf-8"]),
    ("attachment; filename=\"a \\\"quoted\\\" name.pdf\"", "attachment", ["filename": "a \"quoted\" name.pdf"]),
    // Broken senders: unquoted values with spaces, a stray word.
    ("attachment; filename=My File.pdf", "attachment", ["filename": "My File.pdf"]),
    ("inline; junk; filename=a.txt", "inline", ["filename": "a.txt"]),
    // RFC 2231 §4: charset and language, percent-encoded.
    ("attachment; filename*=UTF-8''%D7%94%D7%A6%D7%A2%D7%94.pdf", "attachment", ["filename": "הצעה.pdf"]),
    ("attachment; filename*=windows-1255'he'%E4%F6%F2%E4.pdf", "attachment", ["filename": "הצעה.pdf"]),
    ("attachment; filename*=''plain%20name", "attachment", ["filename": "plain name"]),
    // RFC 2231 §3: continuations, in any order, mixing extended and plain sections.
    (
        "attachment; filename*1=\"-second\"; filename*0=\"first\"; filename*2*=%2Dthird", "attachment",
        ["filename": "first-second-third"]
    ),
    (
        "attachment; filename*0*=UTF-8''%D7%94%D7%A6; filename*1*=%D7%A2%D7%94; filename*2=.pdf", "attachment",
        ["filename": "הצעה.pdf"]
    ),
    // The RFC 2231 form wins over the plain fallback.
    ("attachment; filename=\"fallback.pdf\"; filename*=UTF-8''real.pdf", "attachment", ["filename": "real.pdf"]),
    // Outlook: RFC 2047 inside a quoted file name.
    ("attachment; filename=\"=?UTF-8?B?16nXnNeV150=?=.pdf\"", "attachment", ["filename": "שלום.pdf"]),
    ("", "", [:]),
])
func mimeParsesParameters(raw: String, token: String, parameters: [String: String]) {
    let value = MIMEParameterizedValue(parsing: raw)
    #expect(value.token == token)
    #expect(value.parameters == parameters)
}

@Test func mimeParameterWithUnknownCharsetStillDecodes() {
    let value = MIMEParameterizedValue(parsing: "attachment; filename*=x-nope''abc%41")
    #expect(value.parameters["filename"] == "abcA")
}

@Test func mimeParameterSectionsOutOfRangeAreIgnored() {
    let value = MIMEParameterizedValue(parsing: "attachment; name*0=a; name*99999999999999999999=b; name*1=c")
    #expect(value.parameters["name"] == "ac")
}

@Test func mimeParametersSurviveUnclosedQuotesAndComments() {
    #expect(MIMEParameterizedValue(parsing: "text/plain; charset=\"utf-8").parameters == ["charset": "utf-8"])
    #expect(MIMEParameterizedValue(parsing: "text/plain; (unclosed comment").parameters == [:])
}
