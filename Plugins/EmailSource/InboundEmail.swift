import Foundation
import LeadGateCore
import LeadGateSourceKit

/// What the lead is read from, whichever way the mail came: a parsed message or a provider's fields.
struct InboundEmail {
    /// An address header: as written, parsed only if the body names no contact (most form mails do), or as a
    /// provider gave it parsed.
    enum Addresses {
        case header(String)
        case parsed([MIMEMailbox])

        var mailboxes: [MIMEMailbox] {
            switch self {
            case .header(let raw): MIMEMailbox.list(parsing: raw)
            case .parsed(let mailboxes): mailboxes
            }
        }
    }

    var from: Addresses?
    var replyTo: Addresses?
    var subject: String?
    /// `Message-ID` without its angle brackets.
    var messageID: String?
    var date: Date?
    var plain: String?
    var html: String?
    /// Set for mail that no person wrote to us: a delivery report (`bounce`) or an auto-reply (`auto_reply`).
    var automatic: String?

    init() {}

    /// Reads the headers of a parsed message and its readable body.
    init(_ message: MIMEMessage) {
        readHeaders { message.headerValue($0) }
        let body = message.bodyText()
        plain = body.plain
        html = body.html
    }

    /// Fills the header-derived values from raw (unfolded, not yet decoded) header values.
    mutating func readHeaders(_ header: (String) -> String?) {
        from = header("From").map(Addresses.header)
        replyTo = header("Reply-To").map(Addresses.header)
        subject = header("Subject").map { MIMEEncodedWord.decode($0).text }
        messageID = header("Message-ID").flatMap(Self.messageID)
        date = header("Date").flatMap(MIMEDate.parse)
        // RFC 3464 delivery reports are multipart/report; RFC 3834 responders say `auto-replied` (`auto-generated`
        // is left alone: form mailers use it too).
        if let type = header("Content-Type"), MIMEParameterizedValue(parsing: type).token == "multipart/report" { automatic = "bounce" }
        if let submitted = header("Auto-Submitted"), submitted.lowercased().hasPrefix("auto-replied") { automatic = "auto_reply" }
    }

    /// The id inside `<...>` (the first, when a sender put several), or the trimmed text; nil when empty.
    static func messageID(_ raw: String) -> String? {
        var text = Substring(UnicodeText.trimmed(raw))
        if let open = text.firstIndex(of: "<") {
            let rest = text[text.index(after: open)...]
            text = rest.firstIndex(of: ">").map { rest[..<$0] } ?? rest
        }
        let id = UnicodeText.trimmed(String(text))
        return id.isEmpty ? nil : id
    }
}
