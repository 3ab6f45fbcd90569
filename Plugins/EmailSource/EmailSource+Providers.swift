import Foundation
import LeadGateCore
import LeadGateSourceKit

// MARK: - SendGrid Inbound Parse

extension EmailSource {
    /// SendGrid Inbound Parse: raw mode (`email` holds the whole message) or default mode (`from`, `subject`,
    /// `text`, `html`, `headers`, and `charsets`, a JSON object naming each field's charset).
    func receiveSendGrid(_ request: InboundRequest) throws(SourceError) -> [LeadDraft] {
        let form = try WebhookForm.decode(request, source: name)
        if let raw = form.entry("email") {
            let message = try parse(raw.storage, in: raw.range)
            return [try builder.draft(from: InboundEmail(message), receivedAt: request.receivedAt, rawPayload: nil)]
        }
        guard ["from", "text", "html", "headers"].contains(where: { form.entry($0) != nil }) else {
            throw .malformed(
                "the SendGrid post has neither 'email' (raw mode) nor 'from', 'text', 'html' or 'headers' (default mode)", code: "missing_field")
        }
        let charsets = form.text("charsets").map(Self.charsetsByField) ?? [:]
        func field(_ name: String) -> String? { form.text(name, charset: charsets[name]) }

        var email = InboundEmail()
        if let block = form.entry("headers") {
            let headers = MIMEHeaders(parsing: Array(block.value))
            email.readHeaders { headers.rawValue($0) }
        }
        if let from = field("from") { email.from = .header(from) }
        if let subject = field("subject") { email.subject = subject }
        email.plain = field("text")
        email.html = field("html")
        return [try builder.draft(from: email, receivedAt: request.receivedAt, rawPayload: nil)]
    }

    /// `{"text":"windows-1255","subject":"UTF-8"}`; an unreadable object names no charsets (fields are then UTF-8).
    private static func charsetsByField(_ json: String) -> [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(json.utf8))) ?? [:]
    }
}

// MARK: - Mailgun routes

extension EmailSource {
    /// A Mailgun route's `forward()` post: parsed (`from`, `subject`, `body-plain`, `body-html`, the headers as
    /// fields and in `message-headers`) or raw (`body-mime`, when the URL ends in `mime`); signed either way.
    func receiveMailgun(_ request: InboundRequest) throws(SourceError) -> [LeadDraft] {
        let form: WebhookForm
        do {
            form = try WebhookForm.decode(request, source: name)
        } catch {
            // Not yet authenticated: nothing to quarantine.
            throw SourceError(status: error.status, code: error.code, message: error.message, authenticated: false)
        }
        try verifyMailgun(timestamp: form.text("timestamp"), token: form.text("token"), signature: form.text("signature"))
        if let raw = form.entry("body-mime") {
            let message = try parse(raw.storage, in: raw.range)
            return [try builder.draft(from: InboundEmail(message), receivedAt: request.receivedAt, rawPayload: nil)]
        }
        guard form.entry("body-plain") != nil || form.entry("body-html") != nil || form.entry("from") != nil else {
            throw .malformed("the Mailgun post has neither 'body-mime' nor 'from', 'body-plain' or 'body-html'", code: "missing_field")
        }
        let listed = form.text("message-headers").map(Self.headerPairs) ?? []
        var email = InboundEmail()
        email.readHeaders { name in
            form.text(name) ?? listed.first { UnicodeText.equalsIgnoringASCIICase($0.name, name) }?.value
        }
        if let from = form.text("from") ?? form.text("sender") { email.from = .header(from) }
        if let subject = form.text("subject") { email.subject = subject }
        email.plain = form.text("body-plain")
        email.html = form.text("body-html")
        return [try builder.draft(from: email, receivedAt: request.receivedAt, rawPayload: nil)]
    }

    /// `[["Received", "..."], ["Message-Id", "<...>"]]`: pairs in order; anything else is no pairs.
    private static func headerPairs(_ json: String) -> [(name: String, value: String)] {
        let pairs = (try? JSONDecoder().decode([[String]].self, from: Data(json.utf8))) ?? []
        return pairs.compactMap { $0.count == 2 ? ($0[0], $0[1]) : nil }
    }
}

// MARK: - Postmark inbound

extension EmailSource {
    /// Postmark's inbound webhook JSON: `FromFull`/`From`, `ReplyTo`, `Subject`, `TextBody`, `HtmlBody`, `Date`,
    /// `MessageID` and the other headers in `Headers` (whose `Message-ID` is the mail's own, preferred).
    func receivePostmark(_ request: InboundRequest) throws(SourceError) -> [LeadDraft] {
        guard let type = request.contentType, type.essence == "application/json" else {
            throw .unsupportedMediaType("source '\(name)' (Postmark) takes application/json")
        }
        // Headers and attachments are fields once flattened; a large mail has many.
        let submissions = try FormBody.decode(request, options: FormDecodingOptions(maxFields: 100_000))
        guard submissions.count == 1, let fields = submissions.first?.fields else {
            throw .malformed("a Postmark inbound post is one JSON object", code: "unexpected_json")
        }
        var values: [String: String] = [:]
        var headers: [Int: (name: String?, value: String?)] = [:]
        for field in fields {
            values[field.key] = values[field.key] ?? field.value
            let pieces = field.key.split(separator: ".")
            guard pieces.count == 3, pieces[0] == "Headers", let index = Int(pieces[1]) else { continue }
            if pieces[2] == "Name" { headers[index, default: (nil, nil)].name = field.value }
            if pieces[2] == "Value" { headers[index, default: (nil, nil)].value = field.value }
        }
        let listed = headers.keys.sorted().compactMap { index in
            headers[index].flatMap { pair in pair.name.map { ($0, pair.value ?? "") } }
        }
        func nonEmpty(_ key: String) -> String? { values[key].flatMap { $0.isEmpty ? nil : $0 } }

        var email = InboundEmail()
        email.readHeaders { name in listed.first { UnicodeText.equalsIgnoringASCIICase($0.0, name) }?.1 }
        if let address = nonEmpty("FromFull.Email") {
            email.from = .parsed([MIMEMailbox(name: nonEmpty("FromFull.Name") ?? nonEmpty("FromName"), address: address)])
        } else if let from = nonEmpty("From") {
            email.from = .header(from)
        }
        if let replyTo = nonEmpty("ReplyTo") { email.replyTo = .header(replyTo) }
        if let subject = values["Subject"] { email.subject = subject }
        email.messageID = email.messageID ?? nonEmpty("MessageID").flatMap(InboundEmail.messageID)
        email.date = nonEmpty("Date").flatMap(MIMEDate.parse) ?? email.date
        email.plain = nonEmpty("TextBody")
        email.html = nonEmpty("HtmlBody")
        return [try builder.draft(from: email, receivedAt: request.receivedAt, rawPayload: nil)]
    }
}

// MARK: - Provider form posts

/// A provider's form post (urlencoded or multipart/form-data) with its values kept as bytes until their
/// charset is known; multipart values are ranges of the request body, so a raw message in one is not copied.
struct WebhookForm {
    struct Entry {
        var name: String
        /// The buffer holding the value: the request body for multipart, the decoded value for urlencoded.
        var storage: [UInt8]
        var range: Range<Int>
        /// The part's own charset (multipart), if it names one.
        var charset: String?

        var value: ArraySlice<UInt8> { storage[range] }
    }

    var entries: [Entry]

    /// Reads `request`'s body; SendGrid and Mailgun post multipart/form-data (urlencoded for small Mailgun mails).
    static func decode(_ request: InboundRequest, source: String) throws(SourceError) -> WebhookForm {
        guard let type = request.contentType else {
            throw .unsupportedMediaType("source '\(source)' takes multipart/form-data or application/x-www-form-urlencoded; the request has no Content-Type")
        }
        switch type.essence {
        case "multipart/form-data":
            guard let boundary = type.parameters["boundary"], !boundary.isEmpty else {
                throw .malformed("Content-Type multipart/form-data has no boundary parameter", code: "missing_boundary")
            }
            let body = MIMEMessage(parsingBody: request.body, contentType: type)
            guard !body.parts[0].children.isEmpty else {
                throw .malformed("no line of the multipart body is the boundary '--\(boundary)'", code: "boundary_not_found")
            }
            let entries = body.parts[0].children.compactMap { index -> Entry? in
                let part = body.parts[index]
                guard let name = part.disposition?.parameters["name"] else { return nil }
                return Entry(name: name, storage: request.body, range: part.bodyRange, charset: part.contentType.charset)
            }
            return WebhookForm(entries: entries)
        case "application/x-www-form-urlencoded":
            let fields = try FormBody.decode(request, options: FormDecodingOptions(maxFields: 100_000)).flatMap(\.fields)
            return WebhookForm(entries: fields.map { field in
                let bytes = Array(field.value.utf8)
                return Entry(name: field.key, storage: bytes, range: bytes.indices, charset: nil)
            })
        default:
            throw .unsupportedMediaType("source '\(source)' takes multipart/form-data or application/x-www-form-urlencoded, not \(type.essence)")
        }
    }

    /// The entry called `name`: that exact name, else the first whose name matches ignoring ASCII case.
    func entry(_ name: String) -> Entry? {
        entries.first { $0.name == name } ?? entries.first { UnicodeText.equalsIgnoringASCIICase($0.name, name) }
    }

    /// The entry's text in `charset` (else the part's own, else UTF-8); bad bytes become U+FFFD.
    func text(_ name: String, charset: String? = nil) -> String? {
        guard let entry = entry(name) else { return nil }
        let label = charset ?? entry.charset
        return (try? Charset.decode(entry.value, label: label, mode: .lenient).text) ?? String(decoding: entry.value, as: UTF8.self)
    }
}
