import Foundation

/// A mailbox: an address that is safe in an SMTP command and a header, and an optional display name.
public struct MailAddress: Sendable, Hashable {
    /// `local@domain`, ASCII only (give IDN domains as punycode).
    public let address: String
    /// Free text, e.g. a lead's name: anything goes, `MailMessage` encodes it.
    public let name: String?

    /// Nil unless `address` is a plain `local@domain` of RFC 5322 atext: no spaces, quotes, angle brackets,
    /// line breaks or commas, so it can never add a recipient, a header or an SMTP command.
    public init?(_ address: String, name: String? = nil) {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, let local = parts.first, let domain = parts.last,
              !local.isEmpty, !domain.isEmpty, address.utf8.count <= 254,
              local.utf8.allSatisfy(MailText.isAtext),
              domain.utf8.allSatisfy({ MailText.isAlphanumeric($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") })
        else { return nil }
        self.address = address
        self.name = name
    }

    var domain: String {
        String(address[address.index(after: address.lastIndex(of: "@") ?? address.startIndex)...])
    }
}

/// A plain-text mail, rendered as RFC 5322 bytes: UTF-8 throughout, nothing a caller passes can add a header.
///
/// Free text (subject, display names) has every control character, CR and LF included, replaced by a space;
/// non-ASCII text is RFC 2047 encoded (UTF-8, B) in encoded words of at most 75 characters; the body is
/// base64 with CRLF line ends. Addresses are `MailAddress`es, which are checked when made.
public struct MailMessage: Sendable {
    public var from: MailAddress
    public var to: [MailAddress]
    public var replyTo: MailAddress?
    public var subject: String
    public var body: String
    public var date: Date
    /// `local@domain` without angle brackets; keep it stable per delivery so retries are recognizable.
    public var messageID: String

    /// A message; `messageID` defaults to a random UUID at the sender's domain.
    public init(
        from: MailAddress, to: [MailAddress], replyTo: MailAddress? = nil, subject: String, body: String,
        date: Date, messageID: String? = nil
    ) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.body = body
        self.date = date
        self.messageID = messageID ?? "\(UUID().uuidString.lowercased())@\(from.domain)"
    }

    /// The message as it goes into SMTP DATA: CRLF line ends, no line over 78 characters.
    public func rendered() -> [UInt8] {
        var lines: [String] = []
        lines.append("Date: \(MailText.date(date))")
        lines.append(MailText.fold("From", MailText.mailbox(from)))
        lines.append(MailText.fold("To", MailText.list(to)))
        if let replyTo { lines.append(MailText.fold("Reply-To", MailText.mailbox(replyTo))) }
        lines.append(MailText.fold("Subject", MailText.unstructured(subject)))
        lines.append("Message-ID: <\(MailText.messageID(messageID, domain: from.domain))>")
        // A notification is machine mail: RFC 3834 tells vacation responders not to answer it into an inbox we poll.
        lines.append("Auto-Submitted: auto-generated")
        lines.append("MIME-Version: 1.0")
        lines.append("Content-Type: text/plain; charset=utf-8")
        lines.append("Content-Transfer-Encoding: base64")
        lines.append("")
        lines.append(contentsOf: MailText.base64Lines(Array(MailText.crlf(body).utf8)))
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }
}

/// The encoding rules `MailMessage` applies.
enum MailText {
    /// Each header line stays within RFC 2047's 76 characters; no encoded word is longer than 75.
    static let lineLimit = 76
    /// The most UTF-8 bytes in one encoded word: `=?UTF-8?B?` + 60 base64 characters + `?=` is 72.
    static let wordBytes = 45

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        default: false
        }
    }

    /// RFC 5322 atext plus `.` (dot-atom text).
    static func isAtext(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || "!#$%&'*+-/=?^_`{|}~.".utf8.contains(byte)
    }

    /// Control characters (CR and LF among them) become spaces: free text can then never start a new header line.
    static func sanitized(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// Header text as tokens for `fold`: words when it is short printable ASCII, else RFC 2047 encoded words.
    static func unstructured(_ text: String) -> [String] {
        let clean = sanitized(text)
        // Runs of spaces collapse: a fold between two spaces would leave a line of only whitespace, which RFC 5322 forbids.
        let words = clean.split(separator: " ").map(String.init)
        let plain = clean.unicodeScalars.allSatisfy { $0.isASCII } && !clean.contains("=?")
            && words.allSatisfy { $0.utf8.count <= 60 }
        return plain ? words : encodedWords(clean)
    }

    /// `text` as RFC 2047 `=?UTF-8?B?...?=` words, split between Unicode scalars so each word decodes alone.
    static func encodedWords(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?UTF-8?B?\(Data(chunk).base64EncodedString())?=")
            chunk = []
        }
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > wordBytes { flush() }
            chunk += bytes
        }
        flush()
        return words
    }

    /// `Name <address>` (the name quoted or encoded as needed), or the bare address.
    static func mailbox(_ mailbox: MailAddress) -> [String] {
        guard let name = mailbox.name.map(sanitized)?.trimmingCharacters(in: .whitespaces), !name.isEmpty else {
            return [mailbox.address]
        }
        let phrase: [String]
        if !name.unicodeScalars.allSatisfy({ $0.isASCII }) || name.contains("=?") {
            phrase = encodedWords(name)
        } else if name.utf8.allSatisfy({ isAtext($0) && $0 != UInt8(ascii: ".") || $0 == UInt8(ascii: " ") }) {
            phrase = name.split(separator: " ").map(String.init)
        } else {
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            phrase = ["\"\(escaped)\""]
        }
        return phrase + ["<\(mailbox.address)>"]
    }

    /// Several mailboxes, comma-separated, as tokens.
    static func list(_ mailboxes: [MailAddress]) -> [String] {
        var tokens: [String] = []
        for (index, address) in mailboxes.enumerated() {
            var mailboxTokens = mailbox(address)
            if index < mailboxes.count - 1 { mailboxTokens[mailboxTokens.count - 1] += "," }
            tokens += mailboxTokens
        }
        return tokens
    }

    /// `Name: token token ...`, breaking the line before a token that would pass `lineLimit`.
    static func fold(_ name: String, _ tokens: [String]) -> String {
        var header = "\(name):"
        var lineLength = header.utf8.count
        for token in tokens {
            if lineLength + 1 + token.utf8.count > lineLimit {
                header += "\r\n"
                lineLength = 0
            }
            header += " " + token
            lineLength += 1 + token.utf8.count
        }
        return header
    }

    /// Keeps only dot-atom characters and `@`, adding `@domain` when missing, so the id cannot break the header.
    static func messageID(_ id: String, domain: String) -> String {
        let kept = String(String.UnicodeScalarView(id.unicodeScalars.filter { $0.isASCII && (isAtext(UInt8($0.value)) || $0 == "@") }))
        return kept.contains("@") ? kept : "\(kept.isEmpty ? UUID().uuidString.lowercased() : kept)@\(domain)"
    }

    /// RFC 5322 date-time in UTC, e.g. `Sat, 28 Nov 2026 10:00:00 +0000`.
    static func date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = .gmt
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }

    /// Text with every line end as CRLF, the canonical form of text/plain before transfer encoding.
    static func crlf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
    }

    /// Base64 in lines of 76 characters.
    static func base64Lines(_ bytes: [UInt8]) -> [String] {
        let encoded = Data(bytes).base64EncodedString()
        var lines: [String] = []
        var start = encoded.startIndex
        while start < encoded.endIndex {
            let end = encoded.index(start, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex
            lines.append(String(encoded[start..<end]))
            start = end
        }
        return lines
    }
}
