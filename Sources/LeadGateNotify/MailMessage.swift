import Foundation

/// An RFC 5322 message with a UTF-8 plain-text body. Header values can never add a header: every
/// control character in them (CR, LF...) becomes a space, and a non-ASCII subject is encoded per RFC 2047.
struct MailMessage {
    var from: String
    var to: [String]
    var subject: String
    var body: String
    var date: Date
    var messageID: String

    var bytes: [UInt8] {
        var lines = [
            "From: " + Self.headerValue(from),
            "To: " + to.map(Self.headerValue).joined(separator: ", "),
            "Subject: " + Self.encodedWords(Self.headerValue(subject)),
            "Date: " + Self.rfc5322Date(date),
            "Message-ID: " + Self.headerValue(messageID),
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
            "",
        ]
        let encoded = Data(body.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n").utf8)
            .base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
        lines.append(encoded)
        return Array((lines.joined(separator: "\r\n") + "\r\n").utf8)
    }

    /// A header value on one line: controls become spaces.
    static func headerValue(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// RFC 2047 B-encoded words (UTF-8), at most 75 characters each, never splitting a character.
    static func encodedWords(_ text: String) -> String {
        guard !text.utf8.allSatisfy({ $0 < 0x80 }) else { return text }
        var words: [String] = []
        var chunk: [UInt8] = []
        // 75 − "=?utf-8?B?" − "?=" = 63 base64 characters: 45 bytes of UTF-8.
        for character in text {
            let bytes = Array(String(character).utf8)
            if chunk.count + bytes.count > 45 {
                words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=")
                chunk = []
            }
            chunk += bytes
        }
        if !chunk.isEmpty { words.append("=?utf-8?B?" + Data(chunk).base64EncodedString() + "?=") }
        return words.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}
