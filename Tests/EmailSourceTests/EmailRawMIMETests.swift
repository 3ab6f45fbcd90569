import Foundation
import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import EmailSource

private let mime = "message/rfc822"

// MARK: - fixtures

/// A WordPress form's mail in windows-1255 quoted-printable, sent from the site's own no-reply sender.
@Test func emailReadsHebrewWindows1255FormMail() async throws {
    let bytes = try fixture("email/hebrew_form_windows1255_qp.eml")
    let drafts = try await rawSource().receive(post(contentType: mime, body: bytes))
    #expect(
        drafts == [
            LeadDraft(
                fields: [
                    RawField("שם", "דנה כהן"), RawField("טלפון", "054-1234567"), RawField("אימייל", "dana.cohen@example.co.il"),
                    RawField("חברה", "אקמה בע\"מ"), RawField("הודעה", "מעוניינת בהצעת מחיר ל-CRM"),
                    RawField("subject", "פנייה חדשה מטופס צור קשר"),
                ],
                externalID: "form-1001@acme.example", receivedAt: Date(timeIntervalSince1970: 1_795_850_102), rawPayload: bytes)
        ])
}

/// An English enquiry, multipart/alternative in base64: the plain part is read, the HTML one is not needed.
@Test func emailReadsEnglishMultipartEnquiry() throws {
    let bytes = try fixture("email/english_enquiry_multipart_base64.eml")
    let later = Date(timeIntervalSince1970: 1_795_900_000)
    let lead = try draft(bytes, at: later)
    #expect(
        lead.fields == [
            RawField("Name", "John Smith"), RawField("Email", "john.smith@example.com"), RawField("Phone", "+44 20 7946 0958"),
            RawField("Company", "Example Ltd"), RawField("Budget", "25000"), RawField("subject", "New enquiry — pricing"),
        ])
    #expect(lead.externalID == "enq-2002@forms.example.com")
    #expect(lead.receivedAt == Date(timeIntervalSince1970: 1_795_891_200))
    #expect(lead.rawPayload == bytes)
}

/// The fields map to the canonical ones through the common field map, Hebrew labels included.
@Test func emailFixtureFieldsMapToCanonicalFields() throws {
    let lead = try draft(try fixture("email/hebrew_form_windows1255_qp.eml"))
    let (canonical, extra) = EmailSource.defaultFieldMap.resolve(lead.fields)
    #expect(canonical[.fullName] == "דנה כהן")
    #expect(canonical[.phone] == "054-1234567")
    #expect(canonical[.email] == "dana.cohen@example.co.il")
    #expect(canonical[.company] == "אקמה בע\"מ")
    #expect(canonical[.message] == "מעוניינת בהצעת מחיר ל-CRM")
    #expect(extra["subject"] == "פנייה חדשה מטופס צור קשר")
}

// MARK: - the request

@Test func emailRawPathRefusesOtherContentTypes() async throws {
    let source = try rawSource()
    for type in [nil, "text/plain", "application/json", "multipart/form-data; boundary=x"] {
        await #expect(throws: SourceError.self) { try await source.receive(post(contentType: type, body: message(["Subject: x"], ["y"]))) }
        do {
            _ = try await source.receive(post(contentType: type, body: message(["Subject: x"], ["y"])))
        } catch let error as SourceError {
            #expect(error.status == 415)
            #expect(error.authenticated)
        }
    }
    let accepted = try await source.receive(post(contentType: "message/rfc822; charset=utf-8", body: message(["Subject: x"], ["y"])))
    #expect(accepted.count == 1)
}

/// A raw-MIME post is authenticated by `?key=` or by basic auth with the secret as password.
@Test(arguments: [
    ([("key", secret)], [(String, String)](), true),
    ([], [("Authorization", "Basic " + Data("anyone:\(secret)".utf8).base64EncodedString())], true),
    ([("key", "wrong-key-wrong-key")], [], false),
    ([], [("Authorization", "Basic " + Data("anyone:nope".utf8).base64EncodedString())], false),
    ([], [("Authorization", "Bearer \(secret)")], false),
    ([], [], false),
])
func emailRawPathNeedsTheSecret(query: [(String, String)], headers: [(String, String)], accepted: Bool) async throws {
    let request = post(contentType: mime, body: message(["Subject: x"], ["y"]), query: query, headers: headers)
    do {
        let drafts = try await rawSource().receive(request)
        #expect(accepted)
        #expect(drafts.count == 1)
    } catch let error as SourceError {
        #expect(!accepted)
        #expect(error.status == 401)
        #expect(!error.authenticated)
    }
}

@Test func emailRefusesOtherMethodsAndEmptyBodies() async throws {
    var request = post(contentType: mime, body: message(["Subject: x"], ["y"]))
    request.method = "GET"
    await #expect(throws: SourceError.methodNotAllowed("source 'sales-inbox' takes POST, not GET")) { try await rawSource().receive(request) }
    do {
        _ = try await rawSource().receive(post(contentType: mime, body: []))
        Issue.record("an empty body was accepted")
    } catch let error as SourceError {
        #expect(error.code == "empty_body")
    }
}

@Test(arguments: ["{\"name\": \"Dana\"}", "just some text\r\nwithout headers", "\r\n\r\nbody only", "\u{0}\u{1}\u{2}"])
func emailWhatIsNotMailIsMalformedSoItIsQuarantined(body: String) async throws {
    do {
        _ = try await rawSource().receive(post(contentType: mime, body: Array(body.utf8)))
        Issue.record("not mail, accepted")
    } catch let error as SourceError {
        #expect(error.code == "malformed_mime")
        #expect(error.status == 400)
        #expect(error.authenticated)
    }
    #expect(throws: SourceError.self) { try rawSource().drafts(fromMIME: Array(body.utf8), receivedAt: receivedAt) }
}

// MARK: - the draft

@Test func emailMessageIDIsTheExternalIDSoARefetchIsADuplicate() throws {
    let bytes = message(["Message-ID:   <abc.123@mail.example>  ", "Subject: x"], ["Name: Dana", "Phone: 054-1234567"])
    let first = try draft(bytes)
    let again = try draft(bytes)
    #expect(first.externalID == "abc.123@mail.example")
    #expect(first == again)
    #expect(try draft(message(["Subject: x"], ["y"])).externalID == nil)
    #expect(try draft(message(["Message-Id: bare-id@x"], ["y"])).externalID == "bare-id@x")
}

@Test(arguments: [
    ("Sat, 28 Nov 2026 09:15:02 +0200", Date(timeIntervalSince1970: 1_795_850_102)),
    // In the future: the receipt time.
    ("Sun, 29 Nov 2026 09:15:02 +0200", receivedAt),
    // More than a year back: a broken clock.
    ("Thu, 01 Jan 1970 00:00:00 +0000", receivedAt),
    ("Thu, 27 Nov 2025 09:00:00 +0000", receivedAt),
    ("yesterday", receivedAt),
])
func emailDateHeaderIsTheReceiveTimeWhenSane(header: String, expected: Date) throws {
    #expect(try draft(message(["Date: \(header)"], ["y"])).receivedAt == expected)
}

@Test func emailKeepsTheExactBytesAsRawPayload() throws {
    // 8-bit bytes and bare LFs must come back untouched.
    let bytes = Array("Subject: x\nContent-Type: text/plain; charset=windows-1255\n\n".utf8) + [0xF9, 0xED, 0x3A, 0x20, 0xE3, 0xF0, 0xE4, 0x0A]
    let lead = try draft(bytes)
    #expect(lead.rawPayload == bytes)
    #expect(lead.fields.first == RawField("שם", "דנה"))
}

@Test func emailSenderIsTheContactWhenTheBodyHasNone() throws {
    // A person writing to the sales inbox: the letter is the message, the sender the contact.
    let letter = try draft(message(["From: Dana Cohen <dana@acme.co.il>", "Subject: Pricing"], ["Hi,", "", "How much for 20 seats?", "", "Dana"]))
    #expect(
        letter.fields == [
            RawField("message", "Hi,\n\nHow much for 20 seats?\n\nDana"), RawField("subject", "Pricing"), RawField("email", "dana@acme.co.il"),
            RawField("full_name", "Dana Cohen"),
        ])
    // Reply-To comes before From.
    let replied = try draft(message(["From: Site <site@acme.co.il>", "Reply-To: Avi <avi@x.co.il>"], ["Phone: 054-1234567", "Name: Avi Levi"]))
    #expect(replied.fields == [RawField("Phone", "054-1234567"), RawField("Name", "Avi Levi"), RawField("email", "avi@x.co.il")])
}

@Test func emailNoReplySendersAreNeverTheContact() throws {
    let form = try draft(message(["From: \"Forms\" <noreply@forms.example.com>"], ["Name: Dana", "Phone: 054-1234567"]))
    #expect(form.fields == [RawField("Name", "Dana"), RawField("Phone", "054-1234567")])
    // An ignored Reply-To falls back to a usable From.
    let fallback = try draft(message(["From: Dana <dana@acme.co.il>", "Reply-To: no-reply@acme.co.il"], ["Phone: 054"]))
    #expect(value("email", in: fallback) == "dana@acme.co.il")
    // Configured senders too.
    let configured = try rawSource([list(8, "ignore_senders", ["forms@acme.co.il"])])
    let mailer = try draft(message(["From: forms@acme.co.il"], ["Name: Dana", "Phone: 054"]), source: configured)
    #expect(value("email", in: mailer) == nil)
}

@Test func emailBodyEmailWinsOverTheSender() throws {
    // The address is in the body under a label the default map does not know: still the body's.
    let lead = try draft(message(["From: Office <office@acme.co.il>"], ["Your E-mail Address: dana@acme.co.il", "Contact Phone: 054", "Topic: CRM"]))
    #expect(value("email", in: lead) == nil)
    #expect(lead.fields.count == 3)
}

@Test func emailBouncesAndAutoRepliesAreKeptAsRejected() throws {
    let bounce = try draft(
        message(
            ["From: MAILER-DAEMON@mx.example", "Content-Type: multipart/report; report-type=delivery-status; boundary=r"],
            ["--r", "", "Delivery failed", "--r--"]))
    #expect(bounce.rejection == "bounce")
    let vacation = try draft(message(["From: dana@acme.co.il", "Auto-Submitted: auto-replied (vacation)"], ["I am away"]))
    #expect(vacation.rejection == "auto_reply")
    let formMailer = try draft(message(["From: dana@acme.co.il", "Auto-Submitted: auto-generated"], ["Name: Dana", "Phone: 054"]))
    #expect(formMailer.rejection == nil)
}

@Test func emailRefusesMegabytesOfTextButNotOfAttachments() throws {
    // Two megabytes of text are no lead: refused (413), so the message is kept in quarantine.
    let text = String(repeating: "Name: Dana Cohen, call me on 054-1234567 please\r\n", count: 45_000)
    let error = try #require(throws: SourceError.self) {
        try rawSource().drafts(fromMIME: message(["Subject: big"], [text]), receivedAt: receivedAt)
    }
    #expect(error.status == 413)
    #expect(error.authenticated)
    #expect(error.message.contains("at most 1048576"))
    // The same bytes as an attachment are sized, not read.
    let attached = message(
        ["Content-Type: multipart/mixed; boundary=b"],
        ["--b", "", "Name: Dana", "Phone: 054", "--b", "Content-Type: text/plain", "Content-Disposition: attachment; filename=log.txt", "", text, "--b--"])
    #expect(try draft(attached).fields == [RawField("Name", "Dana"), RawField("Phone", "054")])
}
