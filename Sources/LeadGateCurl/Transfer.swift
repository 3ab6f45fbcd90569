import CCurl
import Foundation
import Synchronization

/// What a finished transfer brought back, whatever the protocol.
struct TransferOutcome: Sendable {
    /// The last HTTP status, SMTP or IMAP reply code; 0 when the server never answered.
    var responseCode: Int
    /// HTTP response header fields in order (the final response's only); empty for mail protocols.
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    var totalTime: Duration
}

/// The limits of one transfer, resolved from the request and the client's configuration.
struct TransferLimits: Sendable {
    var connectTimeout: Duration
    var timeout: Duration
    var maxResponseBodySize: Int
}

/// One easy handle and what its callbacks collect.
///
/// `@unchecked Sendable` because ownership moves, it is never shared: the caller builds and configures it, hands
/// it to `TransferLoop` under the loop's lock, and from then on only the loop thread touches it until it calls
/// `completion`, after which it is not used again.
final class Transfer: @unchecked Sendable {
    private var easy: UnsafeMutableRawPointer?
    /// `host:port` of the peer, for messages; never the full URL, which may carry a secret (Slack webhook paths do).
    let target: String
    private let limits: TransferLimits
    private var lists: [UnsafeMutablePointer<curl_slist>] = []
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var upload: [UInt8] = []
    private var uploadOffset = 0
    private var headers: [(name: String, value: String)] = []
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    /// Called once with the outcome, on the loop thread (or on the caller's, when the loop refuses the transfer).
    var completion: (@Sendable (Result<TransferOutcome, CurlError>) -> Void)?

    /// A handle for `url` restricted to `protocols` (curl's list syntax, e.g. `http,https`), with the options every
    /// transfer shares: timeouts, TLS verification, the CA bundle, the body limit and the body callback.
    init(url: String, protocols: String, limits: TransferLimits, caBundlePath: String?) throws(CurlError) {
        guard let (scheme, target) = Self.parse(url) else {
            throw CurlError(code: .malformedURL, message: "the URL is malformed")
        }
        guard protocols.split(separator: ",").contains(where: { $0 == scheme }) else {
            throw CurlError(code: .unsupportedProtocol, message: "the URL scheme '\(scheme)' is not one of \(protocols)")
        }
        guard let target else {
            throw CurlError(code: .malformedURL, message: "the URL has no host")
        }
        guard let easy = EasyHandles.take() else {
            throw CurlError(code: CurlError.Code(CURLE_FAILED_INIT), message: "libcurl could not create a transfer")
        }
        self.easy = easy
        self.target = target
        self.limits = limits
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(to: 0)

        try set(CURLOPT_URL, url)
        try set(CURLOPT_PROTOCOLS_STR, protocols)
        // Signals are no way to time out a resolver on a thread that is not the main one.
        try set(CURLOPT_NOSIGNAL, 1)
        try set(CURLOPT_CONNECTTIMEOUT_MS, limits.connectTimeout.curlMilliseconds)
        try set(CURLOPT_TIMEOUT_MS, limits.timeout.curlMilliseconds)
        try set(CURLOPT_SSL_VERIFYPEER, 1)
        try set(CURLOPT_SSL_VERIFYHOST, 2)
        if let caBundlePath { try set(CURLOPT_CAINFO, caBundlePath) }
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer), CURLOPT_ERRORBUFFER)
        // Refused early when the server announces a larger Content-Length; `receive(_:)` enforces it for the rest.
        try check(ccurl_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(limits.maxResponseBodySize)), CURLOPT_MAXFILESIZE_LARGE)
        try check(ccurl_easy_setopt_write_function(easy, writeCallback), CURLOPT_WRITEFUNCTION)
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, userdata), CURLOPT_WRITEDATA)
    }

    deinit {
        close()
        errorBuffer.deallocate()
    }

    /// The easy handle, for the loop to add to and remove from its multi handle.
    var handle: UnsafeMutableRawPointer? { easy }

    /// How the C callbacks find this transfer again; the loop's reference keeps it alive while they can run.
    private var userdata: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    func set(_ option: CURLoption, _ value: Int) throws(CurlError) {
        try check(ccurl_easy_setopt_long(easy, option, value), option)
    }

    /// Sets a string option; libcurl keeps its own copy.
    func set(_ option: CURLoption, _ value: String) throws(CurlError) {
        try check(value.withCString { ccurl_easy_setopt_string(easy, option, $0) }, option)
    }

    /// Sets a list option (headers, recipients); the list lives as long as the transfer.
    func set(_ option: CURLoption, list values: [String]) throws(CurlError) {
        var list: UnsafeMutablePointer<curl_slist>?
        for value in values {
            guard let longer = curl_slist_append(list, value) else {
                curl_slist_free_all(list)
                throw CurlError(code: CurlError.Code(CURLE_OUT_OF_MEMORY), message: "out of memory building a curl list")
            }
            list = longer
        }
        guard let list else { return }
        lists.append(list)
        try check(ccurl_easy_setopt_slist(easy, option, list), option)
    }

    /// Sends `bytes` as the upload (an SMTP message) through the read callback.
    func setUpload(_ bytes: [UInt8]) throws(CurlError) {
        upload = bytes
        uploadOffset = 0
        try set(CURLOPT_UPLOAD, 1)
        try check(ccurl_easy_setopt_off_t(easy, CURLOPT_INFILESIZE_LARGE, curl_off_t(bytes.count)), CURLOPT_INFILESIZE_LARGE)
        try check(ccurl_easy_setopt_read_function(easy, readCallback), CURLOPT_READFUNCTION)
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_READDATA, userdata), CURLOPT_READDATA)
    }

    /// Sets a POST-style body that libcurl copies, so it can resend it on a retried connection.
    func setCopiedBody(_ bytes: [UInt8]) throws(CurlError) {
        try check(ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count)), CURLOPT_POSTFIELDSIZE_LARGE)
        // The extra zero keeps the buffer non-empty (a nil pointer would mean "no body"); libcurl copies `count` bytes only.
        let code = (bytes + [0]).withUnsafeBytes { raw in
            ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress))
        }
        try check(code, CURLOPT_COPYPOSTFIELDS)
    }

    /// Collects HTTP response header fields through the header callback.
    func collectHeaders() throws(CurlError) {
        try check(ccurl_easy_setopt_header_function(easy, headerCallback), CURLOPT_HEADERFUNCTION)
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, userdata), CURLOPT_HEADERDATA)
    }

    /// Releases the handle and calls `completion` with the outcome of libcurl's `code`. Loop thread only.
    func finish(_ code: CURLcode) {
        complete(outcome(code))
    }

    /// Releases the handle and calls `completion` with `result` (cancelled, shut down). Loop thread only, or the
    /// caller's when the loop refused the transfer.
    func complete(_ result: Result<TransferOutcome, CurlError>) {
        close()
        completion?(result)
        completion = nil
    }

    private func close() {
        // Never attached to a multi handle here: the loop removes it before completing the transfer.
        if let easy { EasyHandles.give(easy) }
        easy = nil
        for list in lists { curl_slist_free_all(list) }
        lists = []
    }

    // MARK: Callbacks (loop thread)

    fileprivate func receive(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard body.count + bytes.count <= limits.maxResponseBodySize else {
            bodyTooLarge = true
            return 0  // anything but bytes.count makes libcurl abort with CURLE_WRITE_ERROR
        }
        body.append(contentsOf: bytes)
        return bytes.count
    }

    fileprivate func receiveHeader(_ bytes: UnsafeRawBufferPointer) -> Int {
        var end = bytes.count
        while end > 0, bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D { end -= 1 }
        let line = UnsafeRawBufferPointer(rebasing: bytes[..<end])
        if line.starts(with: "HTTP/".utf8) {
            // A new response begins (after a 100 Continue or a followed redirect): only the last one's fields count.
            headers.removeAll()
        } else if let first = line.first, first == 0x20 || first == 0x09, !headers.isEmpty {
            headers[headers.count - 1].value += " " + Self.trimmed(line[...])
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            headers.append((name: Self.trimmed(line[..<colon]), value: Self.trimmed(line[(colon + 1)...])))
        }
        return bytes.count
    }

    /// The bytes without surrounding spaces and tabs, as text.
    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice = slice.dropFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice = slice.dropLast() }
        return String(decoding: slice, as: UTF8.self)
    }

    fileprivate func send(into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let count = min(buffer.count, upload.count - uploadOffset)
        upload.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[uploadOffset..<(uploadOffset + count)]))
        }
        uploadOffset += count
        return count
    }

    // MARK: Outcome

    private func outcome(_ code: CURLcode) -> Result<TransferOutcome, CurlError> {
        var responseCode = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &responseCode)
        var totalMicroseconds: curl_off_t = 0
        _ = ccurl_easy_getinfo_off_t(easy, CURLINFO_TOTAL_TIME_T, &totalMicroseconds)
        let totalTime = Duration.microseconds(totalMicroseconds)
        guard code == CURLE_OK else {
            return .failure(error(for: code, responseCode: responseCode, elapsed: totalTime))
        }
        return .success(TransferOutcome(responseCode: responseCode, headers: headers, body: body, totalTime: totalTime))
    }

    private func error(for code: CURLcode, responseCode: Int, elapsed: Duration) -> CurlError {
        let detail = String(cString: errorBuffer)
        let reply = responseCode > 0 ? responseCode : nil
        switch code {
        case CURLE_COULDNT_CONNECT:
            var osError = 0
            _ = ccurl_easy_getinfo_long(easy, CURLINFO_OS_ERRNO, &osError)
            let message = osError == Int(ECONNREFUSED) ? "connection refused to \(target)" : "could not connect to \(target)\(Self.suffix(detail))"
            return CurlError(code: .couldNotConnect, message: message)
        case CURLE_OPERATION_TIMEDOUT:
            // curl uses one code for both limits; a failure well before the total limit can only be the connect one.
            let connectPhase = limits.connectTimeout < limits.timeout && elapsed < (limits.connectTimeout + limits.timeout) / 2
            let message = connectPhase
                ? "connecting to \(target) timed out after \(limits.connectTimeout.shortDescription)"
                : "timed out after \(limits.timeout.shortDescription) talking to \(target)"
            return CurlError(code: .timedOut, message: message, responseCode: reply)
        case CURLE_FILESIZE_EXCEEDED:
            return tooLarge(reply)
        case CURLE_WRITE_ERROR where bodyTooLarge:
            return tooLarge(reply)
        case CURLE_COULDNT_RESOLVE_HOST:
            return CurlError(code: .couldNotResolveHost, message: "could not resolve the host of \(target)")
        case CURLE_GOT_NOTHING:
            return CurlError(code: .emptyReply, message: "\(target) closed the connection without answering")
        case CURLE_PEER_FAILED_VERIFICATION:
            return CurlError(code: .untrustedCertificate, message: "the TLS certificate of \(target) did not verify\(Self.suffix(detail))")
        case CURLE_LOGIN_DENIED:
            return CurlError(code: .loginDenied, message: "\(target) refused the username or password", responseCode: reply)
        case CURLE_USE_SSL_FAILED:
            return CurlError(code: .startTLSFailed, message: "\(target) does not offer STARTTLS, which is required", responseCode: reply)
        default:
            let summary = String(cString: curl_easy_strerror(code))
            return CurlError(code: CurlError.Code(code), message: "\(summary) (\(target))\(Self.suffix(detail))", responseCode: reply)
        }
    }

    private func tooLarge(_ reply: Int?) -> CurlError {
        CurlError(code: .responseTooLarge, message: "the response from \(target) is larger than \(limits.maxResponseBodySize) bytes", responseCode: reply)
    }

    private static func suffix(_ detail: String) -> String {
        detail.isEmpty ? "" : ": " + detail
    }

    /// Throws when libcurl refused `option` (one this libcurl is too old for, or out of memory).
    private func check(_ code: CURLcode, _ option: CURLoption) throws(CurlError) {
        guard code != CURLE_OK else { return }
        let name = curl_easy_option_by_id(option).flatMap { $0.pointee.name }.map { "CURLOPT_" + String(cString: $0) }
        let message = "libcurl refused \(name ?? "option \(option.rawValue)"): \(String(cString: curl_easy_strerror(code)))"
        throw CurlError(code: CurlError.Code(code), message: message)
    }

    /// URLs parsed before: a channel sends every delivery to the same one. Cleared whole when full.
    private static let parsed = Mutex<[String: (scheme: String, target: String?)]>([:])

    /// The lower-cased scheme and `host:port` (default port filled in) of `url` as libcurl itself parses it;
    /// nil when malformed.
    private static func parse(_ url: String) -> (scheme: String, target: String?)? {
        if let known = parsed.withLock({ $0[url] }) { return known }
        guard let result = parseAfresh(url) else { return nil }
        parsed.withLock { known in
            if known.count >= 256 { known.removeAll() }
            known[url] = result
        }
        return result
    }

    private static func parseAfresh(_ url: String) -> (scheme: String, target: String?)? {
        guard let parsed = curl_url() else { return nil }
        defer { curl_url_cleanup(parsed) }
        // Without this flag libcurl refuses schemes it was built without, which would read as "malformed".
        guard curl_url_set(parsed, CURLUPART_URL, url, UInt32(CURLU_NON_SUPPORT_SCHEME)) == CURLUE_OK else { return nil }
        func part(_ what: CURLUPart, _ flags: UInt32 = 0) -> String? {
            var value: UnsafeMutablePointer<CChar>?
            guard curl_url_get(parsed, what, &value, flags) == CURLUE_OK, let value else { return nil }
            defer { curl_free(value) }
            return String(cString: value)
        }
        guard let scheme = part(CURLUPART_SCHEME)?.lowercased() else { return nil }
        guard let host = part(CURLUPART_HOST) else { return (scheme, nil) }
        guard let port = part(CURLUPART_PORT, UInt32(CURLU_DEFAULT_PORT)) else { return (scheme, host) }
        return (scheme, "\(host):\(port)")
    }
}

/// Easy handles of finished transfers, reset and kept for the next ones: creating and freeing one for every request
/// was 4 % of a webhook delivery's CPU. A reset handle keeps no option, list or callback of its last transfer (only
/// libcurl's caches: DNS, TLS sessions).
private enum EasyHandles {
    /// An idle handle: owned by the pool alone, so it can move between threads.
    private struct Idle: @unchecked Sendable {
        let easy: UnsafeMutableRawPointer
    }

    private static let idle = Mutex<[Idle]>([])
    private static let limit = 256

    static func take() -> UnsafeMutableRawPointer? {
        idle.withLock { $0.popLast() }?.easy ?? curl_easy_init()
    }

    static func give(_ easy: UnsafeMutableRawPointer) {
        curl_easy_reset(easy)
        let handle = Idle(easy: easy)
        let kept = idle.withLock { idle in
            guard idle.count < limit else { return false }
            idle.append(handle)
            return true
        }
        if !kept { curl_easy_cleanup(easy) }
    }
}

private func transfer(_ userdata: UnsafeMutableRawPointer?) -> Transfer? {
    userdata.map { Unmanaged<Transfer>.fromOpaque($0).takeUnretainedValue() }
}

private let writeCallback: curl_write_callback = { data, size, count, userdata in
    guard let transfer = transfer(userdata) else { return 0 }
    return transfer.receive(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let headerCallback: curl_write_callback = { data, size, count, userdata in
    guard let transfer = transfer(userdata) else { return 0 }
    return transfer.receiveHeader(UnsafeRawBufferPointer(start: data, count: size * count))
}

private let readCallback: curl_read_callback = { buffer, size, count, userdata in
    guard let transfer = transfer(userdata) else { return Int(CURL_READFUNC_ABORT) }
    return transfer.send(into: UnsafeMutableRawBufferPointer(start: buffer, count: size * count))
}

extension Duration {
    /// Whole milliseconds for a curl timeout option, at least 1: libcurl reads 0 as "no timeout at all".
    var curlMilliseconds: Int {
        let (seconds, attoseconds) = components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return Int.max }
        return max(1, Int(milliseconds.partialValue) + Int(attoseconds / 1_000_000_000_000_000))
    }

    /// `2s`, `500ms`, `1.5s`: how an error message names a limit.
    var shortDescription: String {
        let milliseconds = curlMilliseconds
        if milliseconds < 1000 { return "\(milliseconds)ms" }
        if milliseconds % 1000 == 0 { return "\(milliseconds / 1000)s" }
        return "\(Double(milliseconds) / 1000)s"
    }
}
