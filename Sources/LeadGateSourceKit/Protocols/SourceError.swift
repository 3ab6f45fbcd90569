/// Why an adapter refused a request. The code is stable (clients match on it); the message names the field or header.
public struct SourceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var status: Int
    public var code: String
    public var message: String
    /// Whether the request passed authentication: such a request that still fails is quarantined whole.
    public var authenticated: Bool

    public init(status: Int, code: String, message: String, authenticated: Bool) {
        self.status = status
        self.code = code
        self.message = message
        self.authenticated = authenticated
    }

    public var description: String { "\(code): \(message)" }

    /// No or wrong credentials (401).
    public static func unauthorized(_ message: String, code: String = "unauthorized") -> SourceError {
        SourceError(status: 401, code: code, message: message, authenticated: false)
    }

    /// A signature that does not match the body (401).
    public static func signatureMismatch(_ message: String) -> SourceError {
        SourceError(status: 401, code: "signature_mismatch", message: message, authenticated: false)
    }

    /// Not allowed for this caller, e.g. an origin not in `allowed_origins` or a wrong verify token (403).
    public static func forbidden(_ message: String, code: String = "forbidden") -> SourceError {
        SourceError(status: 403, code: code, message: message, authenticated: false)
    }

    /// An authenticated body that cannot be parsed (400); it is quarantined.
    public static func malformed(_ message: String, code: String = "malformed") -> SourceError {
        SourceError(status: 400, code: code, message: message, authenticated: true)
    }

    /// A content type the adapter does not read (415); it is quarantined.
    public static func unsupportedMediaType(_ message: String) -> SourceError {
        SourceError(status: 415, code: "unsupported_media_type", message: message, authenticated: true)
    }

    /// Input over a configured limit (413).
    public static func tooLarge(_ message: String) -> SourceError {
        SourceError(status: 413, code: "payload_too_large", message: message, authenticated: true)
    }

    /// A method the source does not answer (405).
    public static func methodNotAllowed(_ message: String) -> SourceError {
        SourceError(status: 405, code: "method_not_allowed", message: message, authenticated: false)
    }
}
