import Foundation
import LeadGateSourceKit

/// An email source's `imap:` block: the mailbox the gateway polls for lead mails.
///
/// Keys: `url` (`imap://host:143/INBOX` or `imaps://host:993/INBOX`; the path names the folder), `username`,
/// `password`, `every` (default 60s), `starttls` (upgrade an `imap://` connection, default false), and `move_to`
/// (a folder each processed message is moved to; without it, messages are flagged `\Seen` and left in place), and
/// `max_message_size` (default 25MiB: a larger message is quarantined by its UID, flagged, and left in the mailbox).
public struct IMAPSettings: Sendable, Hashable {
    public var url: String
    public var username: String?
    public var password: String?
    public var every: Duration
    public var startTLS: Bool
    public var moveTo: String?
    public var maxMessageSize: Int

    public static let defaultMaxMessageSize = 25 << 20

    public init(
        url: String, username: String? = nil, password: String? = nil, every: Duration = .seconds(60), startTLS: Bool = false,
        moveTo: String? = nil, maxMessageSize: Int = IMAPSettings.defaultMaxMessageSize
    ) {
        self.url = url
        self.username = username
        self.password = password
        self.every = every
        self.startTLS = startTLS
        self.moveTo = moveTo
        self.maxMessageSize = maxMessageSize
    }

    /// Reads the block, reporting every problem at its value.
    static func read(_ section: ConfigSection) -> IMAPSettings? {
        defer { section.finish(known: ["url", "username", "password", "every", "starttls", "move_to", "max_message_size"]) }
        let maxMessageSize = section.byteSize("max_message_size") ?? defaultMaxMessageSize
        if maxMessageSize < 1024 { section.error("max_message_size", "\(section.path).max_message_size must be at least 1KiB") }
        let every = section.duration("every") ?? .seconds(60)
        if every < .seconds(1) { section.error("every", "\(section.path).every must be at least 1s") }
        let startTLS = section.bool("starttls") ?? false
        let moveTo = section.string("move_to")
        if let moveTo, moveTo.isEmpty || moveTo.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\"" }) {
            section.error("move_to", "\(section.path).move_to must be a folder name without quotes or line breaks")
        }
        let username = section.string("username")
        let password = section.string("password")
        if username != nil, password?.isEmpty ?? true {
            section.error("password", "\(section.path).password is missing or empty (if it comes from ${VAR}, is the variable set?)")
        }
        guard let url = section.string("url", required: true) else { return nil }
        let lowered = url.lowercased()
        guard lowered.hasPrefix("imap://") || lowered.hasPrefix("imaps://"), URL(string: url)?.host?.isEmpty == false else {
            section.error("url", "\(section.path).url must be imap://host[:port]/FOLDER or imaps://host[:port]/FOLDER, found '\(url)'")
            return nil
        }
        return IMAPSettings(
            url: url, username: username, password: password, every: every, startTLS: startTLS, moveTo: moveTo, maxMessageSize: maxMessageSize)
    }
}
