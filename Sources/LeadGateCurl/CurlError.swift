import CCurl

/// Why a transfer failed: libcurl's result code and a message that names the peer and the limit it hit.
///
/// Match on `code` (`catch let error where error.code == .timedOut`); the message is for people and logs.
/// It never contains credentials or a request body.
public struct CurlError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A libcurl result code (`CURLcode`); the named ones are those LeadGate tells apart.
    public struct Code: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
        public var rawValue: Int

        /// A code by its `CURLcode` number, for the codes without a name here.
        public init(rawValue: Int) {
            self.rawValue = rawValue
        }

        init(_ code: CURLcode) {
            rawValue = Int(code.rawValue)
        }

        /// The URL's scheme is not one this call speaks (an `http://` URL given to `sendMail`).
        public static let unsupportedProtocol = Code(CURLE_UNSUPPORTED_PROTOCOL)
        /// The URL does not parse or has no host.
        public static let malformedURL = Code(CURLE_URL_MALFORMAT)
        /// DNS found no address for the host.
        public static let couldNotResolveHost = Code(CURLE_COULDNT_RESOLVE_HOST)
        /// Refused or unreachable; `message` says which.
        public static let couldNotConnect = Code(CURLE_COULDNT_CONNECT)
        /// The connect or the total timeout passed; `message` says which.
        public static let timedOut = Code(CURLE_OPERATION_TIMEDOUT)
        /// Cancelled: the Swift task was cancelled or the client shut down.
        public static let cancelled = Code(CURLE_ABORTED_BY_CALLBACK)
        /// A request LeadGate refuses to send: a line break in a header, a command or a credential.
        public static let invalidArgument = Code(CURLE_BAD_FUNCTION_ARGUMENT)
        /// The server closed the connection without answering.
        public static let emptyReply = Code(CURLE_GOT_NOTHING)
        /// Sending failed mid-transfer; for SMTP also a refused MAIL FROM or RCPT TO (see `responseCode`).
        public static let sendFailed = Code(CURLE_SEND_ERROR)
        /// The connection broke while receiving (reset by the peer, for one).
        public static let receiveFailed = Code(CURLE_RECV_ERROR)
        /// The peer's TLS certificate did not verify against the CA bundle.
        public static let untrustedCertificate = Code(CURLE_PEER_FAILED_VERIFICATION)
        /// The response body is larger than the transfer's `maxResponseBodySize`.
        public static let responseTooLarge = Code(CURLE_FILESIZE_EXCEEDED)
        /// STARTTLS was required and the server does not offer it.
        public static let startTLSFailed = Code(CURLE_USE_SSL_FAILED)
        /// The server refused the username or password.
        public static let loginDenied = Code(CURLE_LOGIN_DENIED)
        /// An IMAP command was answered NO or BAD.
        public static let commandFailed = Code(CURLE_QUOTE_ERROR)

        /// libcurl's own short text for the code.
        public var description: String { String(cString: curl_easy_strerror(CURLcode(UInt32(clamping: rawValue)))) }
    }

    public var code: Code
    /// What happened and to which `host:port`; never the full URL, which may hold a secret.
    public var message: String
    /// The server's last protocol reply code when it gave one (an SMTP `550`, an HTTP status); nil before any reply.
    public var responseCode: Int?

    /// An error with `code` and `message`; LeadGate's own wrappers (a fake client in tests) may build them too.
    public init(code: Code, message: String, responseCode: Int? = nil) {
        self.code = code
        self.message = message
        self.responseCode = responseCode
    }

    /// The message with the curl code, as logs show it.
    public var description: String { "\(message) (curl error \(code.rawValue))" }

    public static func invalidArgument(_ message: String) -> CurlError {
        CurlError(code: .invalidArgument, message: message)
    }

    static let cancelled = CurlError(code: .cancelled, message: "cancelled")

    static let shutDown = CurlError(code: .cancelled, message: "the curl client is shut down")
}
