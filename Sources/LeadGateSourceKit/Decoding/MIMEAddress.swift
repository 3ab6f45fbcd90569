import Foundation

/// One mailbox of an address header (`From`, `Reply-To`): an address and the display name written with it.
public struct MIMEMailbox: Sendable, Hashable {
    /// The display name with encoded words decoded; nil when none was written.
    public var name: String?
    /// `local@domain` as written (case kept).
    public var address: String

    public init(name: String?, address: String) {
        self.name = name
        self.address = address
    }

    /// The mailboxes of a raw (unfolded, not yet decoded) address-list value (RFC 5322 §3.4): `Name <a@b>`,
    /// `"Last, First" <a@b>`, bare `a@b`, the old `a@b (Name)`, groups (`team: a@b, c@d;`) and obsolete
    /// routes (`<@relay:a@b>`). Entries without a usable `local@domain` are left out.
    public static func list(parsing raw: String) -> [MIMEMailbox] {
        var reader = AddressReader(Array(raw.utf8))
        return reader.read()
    }
}

/// Reads bytes: every character with a meaning here is ASCII, and anything else is carried along as it is.
private struct AddressReader {
    private let bytes: [UInt8]
    private var index = 0
    private var phrase: [UInt8] = []
    private var angle: [UInt8]?
    private var comment: [UInt8]?
    /// Whether `phrase` has an `@`, kept as bytes arrive so that a run of colons costs no rescans.
    private var phraseHasAt = false
    private var mailboxes: [MIMEMailbox] = []

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func read() -> [MIMEMailbox] {
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                phrase += readQuoted()
            case UInt8(ascii: "("):
                comment = readComment()
            case UInt8(ascii: "<"):
                angle = read(until: UInt8(ascii: ">"))
            case UInt8(ascii: ","), UInt8(ascii: ";"):
                finish()
            case UInt8(ascii: ":") where angle == nil && !phraseHasAt:
                // The name of a group: its members follow.
                phrase.removeAll()
            default:
                phrase.append(byte)
                if byte == UInt8(ascii: "@") { phraseHasAt = true }
            }
        }
        finish()
        return mailboxes
    }

    private mutating func finish() {
        defer {
            phrase.removeAll()
            phraseHasAt = false
            angle = nil
            comment = nil
        }
        let text = Self.collapsed(phrase)
        var address: [UInt8]
        var name: [UInt8]?
        if var inAngle = angle {
            // An obsolete route, `@relay1,@relay2:user@domain`, ends at its colon.
            if inAngle.first == UInt8(ascii: "@"), let colon = inAngle.firstIndex(of: UInt8(ascii: ":")) { inAngle = Array(inAngle[(colon + 1)...]) }
            address = Self.collapsed(inAngle)
            name = text
        } else {
            address = text
            name = comment.map(Self.collapsed)
        }
        guard Self.isAddress(address) else { return }
        let decoded = name.map { MIMEEncodedWord.decode(String(decoding: $0, as: UTF8.self)).text }
        let trimmed = decoded.map { String(decoding: Self.collapsed(Array($0.utf8)), as: UTF8.self) }
        mailboxes.append(MIMEMailbox(name: trimmed?.isEmpty == false ? trimmed : nil, address: String(decoding: address, as: UTF8.self)))
    }

    /// Runs of spaces and tabs as one space, none at either end.
    private static func collapsed(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var space = false
        for byte in bytes {
            if byte == MIMEByte.space || byte == MIMEByte.tab || byte == MIMEByte.cr || byte == MIMEByte.lf {
                space = !out.isEmpty
            } else {
                if space { out.append(MIMEByte.space) }
                space = false
                out.append(byte)
            }
        }
        return out
    }

    private static func isAddress(_ text: [UInt8]) -> Bool {
        guard let at = text.lastIndex(of: UInt8(ascii: "@")), at > 0, at + 1 < text.count else { return false }
        return !text.contains(MIMEByte.space) && !text[..<at].isEmpty
    }

    private mutating func readQuoted() -> [UInt8] {
        var out: [UInt8] = []
        while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
            if bytes[index] == UInt8(ascii: "\\"), index + 1 < bytes.count { index += 1 }
            out.append(bytes[index])
            index += 1
        }
        index += 1
        return out
    }

    /// A comment's text; comments nest.
    private mutating func readComment() -> [UInt8] {
        var out: [UInt8] = []
        var depth = 1
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\\") where index < bytes.count:
                out.append(bytes[index])
                index += 1
                continue
            case UInt8(ascii: "("): depth += 1
            case UInt8(ascii: ")"): depth -= 1
            default: break
            }
            if depth == 0 { break }
            out.append(byte)
        }
        return out
    }

    private mutating func read(until close: UInt8) -> [UInt8] {
        let start = index
        while index < bytes.count, bytes[index] != close { index += 1 }
        defer { index += 1 }
        return Array(bytes[start..<index])
    }
}
