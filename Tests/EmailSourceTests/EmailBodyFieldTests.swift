import LeadGateCore
import LeadGateSourceKit
import Testing

@testable import EmailSource

private func fields(_ lines: [String]) -> [RawField]? {
    BodyFieldReader.fields(in: lines.joined(separator: "\n"), fieldMap: .common)
}

/// Bodies as form mailers write them; `expected` nil means the text is a letter, not a form.
@Test(arguments: [
    (
        "Contact Form 7's default template: the message under its label, then the footer",
        [
            "From: Dana <dana@acme.co.il>", "Subject: Quote", "", "Message Body:", "Hello,", "", "I need 20 seats.", "", "--",
            "This e-mail was sent from a contact form on Acme (https://acme.co.il)",
        ],
        [
            RawField("From", "Dana <dana@acme.co.il>"), RawField("Subject", "Quote"), RawField("Message Body", "Hello,\n\nI need 20 seats."),
        ]
    ),
    (
        "Hebrew labels with bidi marks and a multi-line message in the middle",
        ["\u{200F}שם מלא: דנה כהן\u{200F}", "הודעה: שלום,", "מעוניינת בהצעה", "טלפון: 054-1234567", "דוא\"ל: dana@acme.co.il"],
        [
            RawField("שם מלא", "דנה כהן"), RawField("הודעה", "שלום,\nמעוניינת בהצעה"), RawField("טלפון", "054-1234567"),
            RawField("דוא\"ל", "dana@acme.co.il"),
        ]
    ),
    (
        "bullets, bold labels, required markers, full-width colon, tabs",
        ["- Name: Dana", "* **Phone**: 054", "• Email*: d@x.co", "Company：Acme", "City\tTel Aviv", "> Budget: 5000"],
        [
            RawField("Name", "Dana"), RawField("Phone", "054"), RawField("Email", "d@x.co"), RawField("Company", "Acme"),
            RawField("City", "Tel Aviv"), RawField("Budget", "5000"),
        ]
    ),
    (
        "a label with its value on the next lines; an empty one before another label",
        ["Name:", "Dana Cohen", "", "Company:", "Phone: 054"],
        [RawField("Name", "Dana Cohen"), RawField("Company", ""), RawField("Phone", "054")]
    ),
    (
        "a short value does not swallow the text after it",
        ["Name: Dana", "Thanks for contacting us!", "Phone: 054"],
        [RawField("Name", "Dana"), RawField("Phone", "054")]
    ),
    (
        "URLs, times and sentences are not labels",
        ["Name: Dana", "https://acme.co.il/contact", "Call me at 10:30 tomorrow please", "Landing page: https://acme.co.il/lp?utm_source=x"],
        [RawField("Name", "Dana"), RawField("Landing page", "https://acme.co.il/lp?utm_source=x")]
    ),
    (
        "three unknown labels make a form",
        ["Full Name of Contact: Dana", "Contact Number: 054", "Preferred Time: mornings"],
        [RawField("Full Name of Contact", "Dana"), RawField("Contact Number", "054"), RawField("Preferred Time", "mornings")]
    ),
    (
        "a letter with one stray colon is not a form",
        ["Hi team,", "", "Quick question: do you support SSO?", "", "Thanks"],
        nil
    ),
])
func emailReadsBodyFields(name: String, lines: [String], expected: [RawField]?) {
    #expect(fields(lines) == expected, "\(name)")
}

@Test func emailReadsCRLFBodies() {
    #expect(BodyFieldReader.fields(in: "Name: Dana\r\nPhone: 054\r\n", fieldMap: .common) == [RawField("Name", "Dana"), RawField("Phone", "054")])
}

@Test func emailReadsHTMLTablesWhenThereIsNoTextPart() throws {
    let html = """
        <html><body><p>New lead</p><table border="1">
        <tr><th>שם</th><td>דנה&nbsp;כהן</td></tr>
        <tr><th>טלפון</th><td>054-1234567</td></tr>
        <tr><th>דוא&quot;ל</th><td><a href="mailto:dana@acme.co.il">dana@acme.co.il</a></td></tr>
        <tr><th>הודעה</th><td>שורה ראשונה<br>שורה שנייה</td></tr>
        </table></body></html>
        """
    let lead = try draft(message(["From: wordpress@acme.co.il", "Content-Type: text/html; charset=utf-8"], [html]))
    #expect(
        lead.fields == [
            RawField("שם", "דנה כהן"), RawField("טלפון", "054-1234567"), RawField("דוא\"ל", "dana@acme.co.il"),
            RawField("הודעה", "שורה ראשונה שורה שנייה"),
        ])
}

@Test func emailFallsBackToHTMLWhenThePlainPartIsNotAForm() throws {
    let bytes = message(
        ["From: noreply@forms.example.com", "Content-Type: multipart/alternative; boundary=a"],
        [
            "--a", "Content-Type: text/plain", "", "Please view this message in an HTML-capable client.", "--a",
            "Content-Type: text/html", "", "<table><tr><td>Name</td><td>Dana</td></tr><tr><td>Phone</td><td>054</td></tr></table>", "--a--",
        ])
    #expect(try draft(bytes).fields == [RawField("Name", "Dana"), RawField("Phone", "054")])
}
