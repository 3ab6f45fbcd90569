import CCurl

/// An SMTP or IMAP server and the account on it.
public struct MailServer: Sendable {
    /// `smtp://host:587`, `smtps://host:465` (TLS from the start); for IMAP `imap://host:143/INBOX` or
    /// `imaps://host:993/INBOX`, where the path names the mailbox the commands work in.
    public var url: String
    public var username: String?
    public var password: String?
    /// Upgrade an `smtp://` or `imap://` connection with STARTTLS and fail if the server does not offer it.
    public var startTLS: Bool
    public var timeout: Duration?
    public var connectTimeout: Duration?
    /// The largest message `imapFetch` takes (the client's `maxResponseBodySize` unless given).
    public var maxMessageSize: Int?

    /// A server without login or STARTTLS unless given, with the client's timeouts and size limit unless given.
    public init(
        url: String, username: String? = nil, password: String? = nil, startTLS: Bool = false,
        timeout: Duration? = nil, connectTimeout: Duration? = nil, maxMessageSize: Int? = nil
    ) {
        self.url = url
        self.username = username
        self.password = password
        self.startTLS = startTLS
        self.timeout = timeout
        self.connectTimeout = connectTimeout
        self.maxMessageSize = maxMessageSize
    }
}

/// What an SMTP transaction sends: the envelope (MAIL FROM, RCPT TO) and the message (DATA).
public struct SMTPMessage: Sendable {
    public var from: MailAddress
    public var recipients: [MailAddress]
    /// An RFC 5322 message with CRLF line ends; libcurl dot-stuffs it.
    public var data: [UInt8]

    /// An envelope and raw message bytes, for a message built elsewhere.
    public init(from: MailAddress, recipients: [MailAddress], data: [UInt8]) {
        self.from = from
        self.recipients = recipients
        self.data = data
    }

    /// `mail` rendered, sent from its From address to its To addresses.
    public init(_ mail: MailMessage) {
        self.init(from: mail.from, recipients: mail.to, data: mail.rendered())
    }
}

extension CurlClient {
    /// Sends `message` through `server`: MAIL FROM, one RCPT TO per recipient, DATA.
    ///
    /// Returns once the server accepted the message (250 after DATA). A refused recipient fails the whole
    /// transaction; `CurlError.responseCode` then holds the server's reply code (a 4xx is worth retrying, a 5xx is not).
    public func sendMail(_ message: SMTPMessage, via server: MailServer) async throws(CurlError) {
        guard !message.recipients.isEmpty else { throw .invalidArgument("the message has no recipients") }
        let transfer = try mailTransfer(server, protocols: "smtp,smtps", url: server.url)
        // The addresses are validated `MailAddress`es, so none can end the SMTP command line.
        try transfer.set(CURLOPT_MAIL_FROM, "<\(message.from.address)>")
        try transfer.set(CURLOPT_MAIL_RCPT, list: message.recipients.map { "<\($0.address)>" })
        try transfer.setUpload(message.data)
        _ = try await run(transfer)
    }

    /// Runs one IMAP command in the mailbox of `server.url` and returns the untagged response lines libcurl
    /// passes on (for `UID SEARCH UNSEEN`: `* SEARCH 3 4\r\n`; for `UID STORE` and `UID MOVE`: often nothing).
    ///
    /// A NO or BAD answer throws `CurlError.Code.commandFailed`. The mailbox is selected first, read-write.
    public func imapCommand(_ command: String, on server: MailServer) async throws(CurlError) -> [UInt8] {
        try ProtocolText.checkSingleLine(command, "the IMAP command")
        let transfer = try mailTransfer(server, protocols: "imap,imaps", url: server.url)
        try transfer.set(CURLOPT_CUSTOMREQUEST, command)
        return try await run(transfer).body
    }

    /// The whole message with `uid` in the mailbox of `server.url`, as the server stores it.
    ///
    /// libcurl fetches `BODY[]`, not `BODY.PEEK[]`, so the server sets `\Seen` on the message as it sends it:
    /// track progress by UID, or clear `\Seen` again (`UID STORE n -FLAGS (\Seen)`) when the message is not kept.
    /// A message larger than `server.maxMessageSize` (else the client's `maxResponseBodySize`) fails with
    /// `CurlError.Code.responseTooLarge`.
    public func imapFetch(uid: UInt32, on server: MailServer) async throws(CurlError) -> [UInt8] {
        let transfer = try mailTransfer(server, protocols: "imap,imaps", url: "\(server.url);UID=\(uid)")
        return try await run(transfer).body
    }

    private func mailTransfer(_ server: MailServer, protocols: String, url: String) throws(CurlError) -> Transfer {
        let transfer = try Transfer(
            url: url, protocols: protocols,
            limits: limits(timeout: server.timeout, connectTimeout: server.connectTimeout, maxResponseBodySize: server.maxMessageSize),
            caBundlePath: configuration.caBundlePath)
        if let username = server.username {
            try ProtocolText.checkSingleLine(username, "the username")
            try transfer.set(CURLOPT_USERNAME, username)
        }
        if let password = server.password {
            try ProtocolText.checkSingleLine(password, "the password")
            try transfer.set(CURLOPT_PASSWORD, password)
        }
        if server.startTLS { try transfer.set(CURLOPT_USE_SSL, Int(CURLUSESSL_ALL.rawValue)) }
        return transfer
    }
}
