import Foundation
import LeadGateCore
import LeadGateSourceKit

/// The `web_form` source: HTML forms, form builders and scripts posting urlencoded, multipart or JSON bodies.
///
/// Its own config keys: `allowed_origins`, `honeypot`, `redirect`, `secret` + `secret_header`,
/// `hmac_secret` + `signature_header`, `json_path`, `files` (`ignore` | `refuse`) and `max_fields`.
/// Without `allowed_origins`, posts are taken from any origin and CORS preflights are refused.
public struct WebFormSource: PushSource {
    public static let type = "web_form"
    public let name: String

    private let allowedOrigins: OriginPolicy?
    private let honeypot: String?
    private let redirect: String?
    private let secret: (header: String, value: String)?
    private let hmac: (header: String, key: [UInt8])?
    private let decoding: FormDecodingOptions

    /// Reads the keys above; every problem goes to `config`'s diagnostics, at the offending value.
    public init(name: String, config: ConfigSection, services: SourceServices) throws {
        self.name = name
        allowedOrigins = Self.readOrigins(config)
        honeypot = Self.nonEmptyString("honeypot", in: config)
        redirect = Self.readRedirect(config)

        let secretValue = Self.nonEmptyString("secret", in: config)
        let secretHeader = Self.headerName("secret_header", in: config, needs: "secret", present: secretValue != nil)
        secret = secretValue.map { (secretHeader ?? "X-LeadGate-Secret", $0) }
        let hmacSecret = Self.nonEmptyString("hmac_secret", in: config)
        let signatureHeader = Self.headerName("signature_header", in: config, needs: "hmac_secret", present: hmacSecret != nil)
        hmac = hmacSecret.map { (signatureHeader ?? "X-LeadGate-Signature", Array($0.utf8)) }

        var decoding = FormDecodingOptions()
        if let text = config.string("json_path") {
            if let path = JSONPath(text) {
                decoding.jsonPath = path
            } else {
                config.error("json_path", "\(config.path).json_path must be a dotted path like data.lead or payload.0.fields, found '\(text)'")
            }
        }
        if let text = config.string("files") {
            if let policy = FilePartPolicy(rawValue: text.lowercased()) {
                decoding.files = policy
            } else {
                config.error("files", "\(config.path).files must be ignore or refuse, found '\(text)'")
            }
        }
        if let maxFields = config.int("max_fields", range: 1...1_000_000) { decoding.maxFields = maxFields }
        self.decoding = decoding
    }

    /// Answers CORS preflights (OPTIONS) and refuses methods other than POST; nil for a POST, which is a submission.
    public func handshake(_ request: InboundRequest) async throws -> InboundResponse? {
        switch request.method.uppercased() {
        case "POST":
            return nil
        case "OPTIONS":
            guard let origin = request.header("Origin") else {
                return InboundResponse(status: 204, headers: [("Allow", "POST, OPTIONS")])
            }
            // Cross-origin scripts need the site listed; without a list only plain form posts (no preflight) get through.
            guard let allowedOrigins, allowedOrigins.allows(origin) else { throw refusal(of: origin) }
            let requested = request.header("Access-Control-Request-Headers").flatMap { $0.isEmpty ? nil : $0 }
            return InboundResponse(
                status: 204,
                headers: [
                    ("Access-Control-Allow-Origin", origin),
                    ("Access-Control-Allow-Methods", "POST, OPTIONS"),
                    ("Access-Control-Allow-Headers", requested ?? "Content-Type"),
                    ("Access-Control-Max-Age", "7200"),
                    ("Vary", "Origin"),
                ])
        default:
            throw notAllowed(request.method)
        }
    }

    /// Authenticates (secret, HMAC, origin), then decodes the body into one draft per submission.
    public func receive(_ request: InboundRequest) async throws -> [LeadDraft] {
        guard request.method.uppercased() == "POST" else { throw notAllowed(request.method) }
        if let secret {
            guard let presented = request.header(secret.header) else {
                throw SourceError.unauthorized("the request has no \(secret.header) header")
            }
            guard Signature.constantTimeEquals(presented, secret.value) else {
                throw SourceError.unauthorized("\(secret.header) does not match the secret of source '\(name)'")
            }
        }
        if let hmac {
            guard let presented = request.header(hmac.header) else {
                throw SourceError.unauthorized("the request has no \(hmac.header) header (hex HMAC-SHA256 of the body)")
            }
            guard Signature.isValidHMACSHA256(hex: presented, message: request.body, key: hmac.key) else {
                throw SourceError.signatureMismatch("\(hmac.header) does not match the body")
            }
        }
        if let origin = request.header("Origin"), let allowedOrigins, !allowedOrigins.allows(origin) {
            throw refusal(of: origin)
        }

        return try FormBody.decode(request, options: decoding).map { submission in
            draft(from: submission, receivedAt: request.receivedAt)
        }
    }

    /// A 303 to `redirect` for a browser's form post, so the person lands on the thank-you page.
    public func acknowledgement(for request: InboundRequest, results: [IntakeResult]) -> InboundResponse? {
        guard let redirect, Self.isBrowserPost(request) else { return nil }
        return InboundResponse(status: 303, headers: [("Location", redirect)])
    }

    /// CORS headers for an allowed origin's post, and `Allow` with a 405. A preflight's answer carries its own.
    public func responseHeaders(for request: InboundRequest) -> [(name: String, value: String)] {
        switch request.method.uppercased() {
        case "OPTIONS":
            return []
        case "POST":
            guard let origin = request.header("Origin"), allowedOrigins?.allows(origin) == true else { return [] }
            return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
        default:
            return [("Allow", "POST, OPTIONS")]
        }
    }

    private func draft(from submission: FormSubmission, receivedAt: Date) -> LeadDraft {
        var fields = submission.fields
        var rejection: String?
        if let honeypot {
            let filled = fields.contains { $0.key == honeypot && !UnicodeText.isBlank($0.value) }
            if filled { rejection = "honeypot" }
            fields.removeAll { $0.key == honeypot }
        }
        return LeadDraft(fields: fields, receivedAt: receivedAt, rejection: rejection, rawPayload: submission.rawPayload)
    }

    private func refusal(of origin: String) -> SourceError {
        let reason = allowedOrigins == nil ? "source '\(name)' has no allowed_origins" : "it is not in allowed_origins of source '\(name)'"
        return .forbidden("cross-origin requests from '\(origin)' are refused: \(reason)", code: "origin_not_allowed")
    }

    private func notAllowed(_ method: String) -> SourceError {
        .methodNotAllowed("source '\(name)' takes POST (and OPTIONS for CORS), not \(method)")
    }

    /// A post from a browser navigating (not a script): it wants a page, so it gets the redirect.
    static func isBrowserPost(_ request: InboundRequest) -> Bool {
        let accept = (request.header("Accept")?.lowercased() ?? "").utf8
        if accept.contains("text/html".utf8) { return true }
        guard let essence = request.contentType?.essence,
            essence == "application/x-www-form-urlencoded" || essence == "multipart/form-data"
        else { return false }
        return !accept.contains("application/json".utf8) && request.header("X-Requested-With") == nil
    }
}

// MARK: - Config

extension WebFormSource {
    private static func nonEmptyString(_ key: String, in config: ConfigSection) -> String? {
        guard let text = config.string(key) else { return nil }
        guard !text.isEmpty else {
            config.error(key, "\(config.path).\(key) is empty (if it comes from ${VAR}, is the variable set?)")
            return nil
        }
        return text
    }

    /// A header name for `key`; reported when set without the key it belongs to.
    private static func headerName(_ key: String, in config: ConfigSection, needs owner: String, present: Bool) -> String? {
        guard let text = config.string(key) else { return nil }
        let tokenCharacters = Set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        guard !text.isEmpty, text.allSatisfy(tokenCharacters.contains) else {
            config.error(key, "\(config.path).\(key) must be an HTTP header name like X-LeadGate-Secret, found '\(text)'")
            return nil
        }
        guard present else {
            config.error(key, "\(config.path).\(key) is set but \(owner) is not")
            return nil
        }
        return text
    }

    private static func readRedirect(_ config: ConfigSection) -> String? {
        guard let text = config.string("redirect") else { return nil }
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
            let host = url.host, !host.isEmpty
        else {
            config.error("redirect", "\(config.path).redirect must be an absolute http(s) URL like https://acme.co.il/thanks, found '\(text)'")
            return nil
        }
        return url.absoluteString
    }

    /// Each entry is checked at its own line and column.
    private static func readOrigins(_ config: ConfigSection) -> OriginPolicy? {
        guard let node = config.value("allowed_origins") else { return nil }
        let items: [ConfigValue] = if case .sequence(let items, _) = node { items } else { [node] }
        var policy = OriginPolicy()
        for item in items {
            guard case .scalar(let text, let mark, _) = item else {
                config.diagnostics.error("\(config.path).allowed_origins entries must be origins like https://acme.co.il, found \(item.kindName)", at: item.mark)
                continue
            }
            if text == "*" {
                policy.allowsAny = true
            } else if let origin = OriginPolicy.normalized(text) {
                policy.origins.insert(origin)
            } else {
                config.diagnostics.error(
                    "\(config.path).allowed_origins: '\(text)' is not an origin; write scheme://host[:port] with no path, like https://acme.co.il",
                    at: mark)
            }
        }
        return policy
    }
}

/// The origins a source takes cross-origin requests from.
struct OriginPolicy: Sendable {
    var allowsAny = false
    /// Normalized: lower case, no default port.
    var origins: Set<String> = []

    func allows(_ origin: String) -> Bool {
        if allowsAny { return true }
        return OriginPolicy.normalized(origin).map(origins.contains) ?? false
    }

    /// `scheme://host[:port]` in lower case without the scheme's default port; nil when `text` is not an origin.
    static func normalized(_ text: String) -> String? {
        let lower = text.lowercased()
        guard let separator = lower.range(of: "://") else { return nil }
        let scheme = lower[..<separator.lowerBound]
        let schemeCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789+-.")
        guard let first = scheme.first, first.isASCII, first.isLetter, scheme.allSatisfy(schemeCharacters.contains) else { return nil }

        let authority = lower[separator.upperBound...]
        var host = authority
        var port: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[...close]
            let rest = authority[authority.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":" else { return nil }
                port = rest.dropFirst()
            }
            guard host.dropFirst().dropLast().allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else { return nil }
        } else {
            if let colon = authority.lastIndex(of: ":") {
                host = authority[..<colon]
                port = authority[authority.index(after: colon)...]
            }
            let hostCharacters = Set("abcdefghijklmnopqrstuvwxyz0123456789-._")
            guard host.allSatisfy(hostCharacters.contains) else { return nil }
        }
        guard !host.isEmpty else { return nil }
        guard let port else { return "\(scheme)://\(host)" }
        guard !port.isEmpty, port.allSatisfy({ $0.isASCII && $0.isNumber }), let number = Int(port), (1...65535).contains(number) else {
            return nil
        }
        let isDefault = (scheme == "https" && number == 443) || (scheme == "http" && number == 80)
        return isDefault ? "\(scheme)://\(host)" : "\(scheme)://\(host):\(number)"
    }
}
