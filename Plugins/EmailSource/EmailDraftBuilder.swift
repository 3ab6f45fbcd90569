import Foundation
import LeadGateCore
import LeadGateSourceKit

/// Turns one mail into one draft: the body's fields, the subject, the sender as the contact when the body
/// names none, `Message-ID` as the external id and the `Date` header as the receive time.
struct EmailDraftBuilder: Sendable {
    let senders: SenderFilter
    /// Which body fields name the contact is judged by the adapter's default map (and by values shaped like an
    /// address), so a mail gives the same draft whatever a source's `fields:` say.
    let fieldMap: FieldMap = EmailSource.defaultFieldMap

    /// A `Date` further back than this is a broken clock, not an old mail.
    static let oldestDate: TimeInterval = 366 * 86_400
    /// Most body text read for fields, plain and HTML together. A lead is a few lines; megabytes of text are a
    /// pasted log or a spam run, refused (413, so kept in quarantine) rather than read into a lead.
    static let maxText = 1 << 20

    func draft(from email: InboundEmail, receivedAt: Date, rawPayload: [UInt8]?) throws(SourceError) -> LeadDraft {
        let textSize = (email.plain?.utf8.count ?? 0) + (email.html?.utf8.count ?? 0)
        guard textSize <= Self.maxText else {
            throw .tooLarge("the mail's text is \(textSize) bytes; at most \(Self.maxText) are read for a lead")
        }
        var fields = bodyFields(of: email)
        if let subject = email.subject, !UnicodeText.isBlank(subject) { fields.append(RawField("subject", subject)) }
        if !fields.contains(where: isEmail), let sender = contact(of: email) {
            // The canonical names, which map whatever a source's `fields:` overrides.
            fields.append(RawField(CanonicalField.email.rawValue, sender.address))
            if let name = sender.name, !fields.contains(where: isName) { fields.append(RawField(CanonicalField.fullName.rawValue, name)) }
        }
        return LeadDraft(
            fields: fields, externalID: email.messageID, receivedAt: sentAt(email.date, receivedAt: receivedAt),
            rejection: email.automatic, rawPayload: rawPayload)
    }

    /// Fields of the plain body; of the HTML body when the plain one is missing or is not a form; else the
    /// whole text as the message (a person writing to the sales inbox).
    private func bodyFields(of email: InboundEmail) -> [RawField] {
        if let plain = email.plain, let fields = BodyFieldReader.fields(in: plain, fieldMap: fieldMap) { return fields }
        let htmlText = email.html.map(HTMLText.plainText(fromHTML:))
        if let htmlText, let fields = BodyFieldReader.fields(in: htmlText, fieldMap: fieldMap) { return fields }
        let letter = [email.plain, htmlText].compactMap { $0 }.first { !UnicodeText.isBlank($0) }
        return letter.map { [RawField(CanonicalField.message.rawValue, UnicodeText.trimmed($0))] } ?? []
    }

    /// `Reply-To` before `From`, skipping the form's own no-reply senders.
    private func contact(of email: InboundEmail) -> MIMEMailbox? {
        [email.replyTo, email.from].lazy.compactMap { $0 }.flatMap(\.mailboxes).first { !senders.ignores($0.address) }
    }

    private func isEmail(_ field: RawField) -> Bool {
        guard !UnicodeText.isBlank(field.value) else { return false }
        return fieldMap.canonicalField(for: field.key) == .email || Self.looksLikeAddress(field.value)
    }

    private func isName(_ field: RawField) -> Bool {
        guard !UnicodeText.isBlank(field.value), let canonical = fieldMap.canonicalField(for: field.key) else { return false }
        return [.fullName, .firstName, .lastName].contains(canonical)
    }

    /// One word with an `@` and a dotted domain: a value that is an address whatever its label says.
    static func looksLikeAddress(_ value: String) -> Bool {
        let text = BodyFieldReader.trimmed(Substring(value)).utf8
        guard !text.contains(where: { $0 <= UInt8(ascii: " ") }), let at = text.lastIndex(of: UInt8(ascii: "@")), at != text.startIndex else {
            return false
        }
        let domain = text[text.index(after: at)...]
        return domain.contains(UInt8(ascii: ".")) && domain.first != UInt8(ascii: ".") && domain.last != UInt8(ascii: ".")
    }

    /// The `Date` header when it is sane: not more than a year old, and never later than the receipt.
    private func sentAt(_ date: Date?, receivedAt: Date) -> Date {
        guard let date, date >= receivedAt.addingTimeInterval(-Self.oldestDate) else { return receivedAt }
        return min(date, receivedAt)
    }
}
