import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import LeadGateCore
import LeadGateSourceKit
import LeadGateStore
import Logging

/// `/ingest/{source}`: submissions (POST) and handshakes (GET, OPTIONS) of push sources.
struct IngestRoutes: Sendable {
    let config: GatewayConfig
    let pipeline: IntakePipeline
    let limiter: RateLimiter

    func add(to router: Router<GatewayRequestContext>) {
        router.post("/ingest/:source") { request, context in
            try await self.submit(request, context: context)
        }
        for method in [HTTPRequest.Method.get, .options, .put, .delete, .patch, .head] {
            router.on("/ingest/:source", method: method) { request, context in
                try await self.handshake(request, context: context)
            }
        }
    }

    private func source(_ context: GatewayRequestContext) throws -> ConfiguredSource {
        let name = context.parameters.get("source") ?? ""
        guard let source = config.source(named: name) else {
            throw APIError(.notFound, code: "unknown_source", message: "no source named '\(name)' is configured")
        }
        return source
    }

    private func handshake(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let source = try source(context)
        let inbound = try await inboundRequest(request, context: context, maxBody: config.server.maxBody)
        let extra = source.adapter.responseHeaders(for: inbound)
        do {
            if let response = try await source.adapter.handshake(inbound) {
                return Self.response(response, extraHeaders: extra)
            }
        } catch let error as SourceError {
            throw Self.apiError(error, headers: extra)
        }
        throw APIError(
            .methodNotAllowed, code: "method_not_allowed",
            message: "\(request.method) is not allowed on /ingest/\(source.name); submissions are POSTed",
            headers: [.allow: "POST"]
        )
    }

    private func submit(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        let source = try source(context)
        if let limit = source.rateLimit, let wait = limiter.take(source.name, limit: limit) {
            throw APIError(
                .tooManyRequests, code: "rate_limited",
                message: "source '\(source.name)' takes at most \(limit.rate) submissions a second; retry later",
                headers: [.retryAfter: String(Int(wait.rounded(.up)))]
            )
        }
        let inbound = try await inboundRequest(request, context: context, maxBody: config.server.maxBody)
        let extra = source.adapter.responseHeaders(for: inbound)
        let drafts: [LeadDraft]
        do {
            drafts = try await source.adapter.receive(inbound)
        } catch let error as SourceError {
            if error.authenticated {
                try await quarantine(inbound, source: source, code: error.code, message: error.message)
            }
            throw Self.apiError(error, headers: extra)
        }
        guard !drafts.isEmpty else {
            // A verified event without leads (a platform's other notifications, an empty batch): kept for the
            // record, and answered 200 so the sender does not retry it forever.
            try await quarantine(inbound, source: source, code: "no_submission", message: "the request held no submission")
            return Self.accepted([], headers: Self.fields(extra))
        }
        let outcomes: [DraftOutcome]
        do {
            outcomes = try await pipeline.process(drafts, from: source, request: inbound)
        } catch {
            context.logger.error("commit failed for source \(source.name): \(error)")
            throw APIError(.serviceUnavailable, code: "store_unavailable", message: "the lead could not be stored; retry later", headers: Self.fields(extra))
        }
        let results = outcomes.map { outcome in
            // A bot that filled the honeypot is told it succeeded.
            IntakeResult(
                id: outcome.leadID, status: outcome.rejectReason == "honeypot" ? .lead : outcome.status,
                duplicate: outcome.kind != .created
            )
        }
        if let acknowledgement = source.adapter.acknowledgement(for: inbound, results: results) {
            return Self.response(acknowledgement, extraHeaders: extra)
        }
        let headers = Self.fields(extra)
        if outcomes.allSatisfy({ $0.rejectReason == "no_contact" }) {
            let body = NoContactBody(
                error: .init(code: "no_contact", message: "the submission has no usable email or phone; it was kept as rejected"),
                accepted: 0, leads: results
            )
            return JSONBody.response(body, status: .unprocessableContent, headers: headers)
        }
        return Self.accepted(results, headers: headers)
    }

    private func quarantine(_ inbound: InboundRequest, source: ConfiguredSource, code: String, message: String) async throws {
        var headers: [String: String] = [:]
        for (name, value) in inbound.headers where !Self.isSecretHeader(name) {
            headers[name.lowercased()] = headers[name.lowercased()].map { $0 + ", " + value } ?? value
        }
        let entry = QuarantineEntry(
            id: LeadID.make(prefix: "qr_", at: inbound.receivedAt), source: source.name, receivedAt: inbound.receivedAt,
            code: code, message: message, method: inbound.method, path: inbound.path, headers: headers, body: inbound.body
        )
        try await pipeline.store.quarantine(entry)
    }

    /// Credentials are not kept with a quarantined request.
    static func isSecretHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "authorization" || lower == "cookie" || lower.contains("secret") || lower.contains("token")
    }

    private func inboundRequest(_ request: Request, context: GatewayRequestContext, maxBody: Int) async throws -> InboundRequest {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBody {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the body is \(length) bytes; server.max_body is \(maxBody)")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: maxBody)
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the body is larger than server.max_body (\(maxBody) bytes)")
        }
        return InboundRequest(
            method: request.method.rawValue, path: request.uri.path,
            query: request.uri.queryParameters.map { (String($0.key), String($0.value)) },
            headers: request.headers.map { ($0.name.rawName, $0.value) },
            body: Array(buffer: body), remoteAddress: context.remoteAddress?.ipAddress,
            receivedAt: pipeline.now()
        )
    }

    static func apiError(_ error: SourceError, headers: [(name: String, value: String)]) -> APIError {
        APIError(HTTPResponse.Status(code: error.status), code: error.code, message: error.message, headers: fields(headers))
    }

    static func response(_ response: InboundResponse, extraHeaders: [(name: String, value: String)]) -> Response {
        Response(
            status: .init(code: response.status), headers: fields(extraHeaders + response.headers),
            body: .init(byteBuffer: ByteBuffer(bytes: response.body))
        )
    }

    /// Header pairs as HTTP fields; a name that is not a valid token is dropped.
    static func fields(_ pairs: [(name: String, value: String)]) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in pairs {
            if let field = HTTPField.Name(name) { fields.append(HTTPField(name: field, value: value)) }
        }
        return fields
    }
}

extension IngestRoutes {
    /// `200 {"accepted": N, "leads": [{"duplicate", "id", "status"}]}`, written directly: it is every intake's answer.
    static func accepted(_ results: [IntakeResult], headers: HTTPFields) -> Response {
        var writer = JSONWriter(capacity: 96 * results.count + 32)
        writer.beginObject()
        writer.key("accepted")
        writer.int(results.count)
        writer.key("leads")
        writer.beginArray()
        for result in results {
            writer.beginObject()
            writer.key("duplicate")
            writer.bool(result.duplicate)
            writer.field("id", result.id)
            writer.field("status", result.status.rawValue)
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: writer.bytes)))
    }
}

private struct NoContactBody: Encodable {
    struct Detail: Encodable {
        var code: String
        var message: String
    }

    var error: Detail
    var accepted: Int
    var leads: [IntakeResult]
}
