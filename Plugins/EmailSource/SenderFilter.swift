import Foundation

/// Senders that are never the lead: a form's own no-reply address, the site's mailer, bounce robots.
struct SenderFilter: Sendable {
    /// Always ignored; `ignore_senders` adds to these.
    static let defaults = [
        "noreply@", "no-reply@", "no_reply@", "donotreply@", "do-not-reply@", "do_not_reply@", "wordpress@", "mailer-daemon@",
        "postmaster@", "bounce@", "bounces@",
    ]

    private var localParts: Set<String> = []
    private var domains: Set<String> = []
    private var addresses: Set<String> = []

    /// Entries are `local@` (that local part at any domain), `@domain` (anyone there) or a whole address; case is ignored.
    init(_ entries: [String]) {
        for entry in entries.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where Self.isValidEntry(entry) {
            if entry.hasPrefix("@") {
                domains.insert(String(entry.dropFirst()))
            } else if entry.hasSuffix("@") {
                localParts.insert(String(entry.dropLast()))
            } else {
                addresses.insert(entry)
            }
        }
    }

    static func isValidEntry(_ entry: String) -> Bool {
        let text = entry.trimmingCharacters(in: .whitespaces)
        return text.filter { $0 == "@" }.count == 1 && text.count > 1 && !text.contains(where: \.isWhitespace)
    }

    func ignores(_ address: String) -> Bool {
        let lower = address.lowercased()
        guard let at = lower.lastIndex(of: "@") else { return false }
        return addresses.contains(lower) || localParts.contains(String(lower[..<at])) || domains.contains(String(lower[lower.index(after: at)...]))
    }
}
