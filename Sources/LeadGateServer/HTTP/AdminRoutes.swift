import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import LeadGateCore
import LeadGateNotify
import LeadGateSourceKit
import LeadGateStore

/// `/api/*`: the admin API behind bearer tokens, and the ops endpoints.
struct AdminRoutes: Sendable {
    let config: GatewayConfig
    let store: any LeadStore
    let metrics: DeliveryMetrics
    let health: SourceHealth
    /// The outbox's channels and their renderer, as the intake pipeline has them.
    let routes: NotificationRoutes
    let now: @Sendable () -> Date

    func add(to router: Router<GatewayRequestContext>) {
        router.get("/healthz") { _, _ in
            JSONBody.response(["status": "ok"])
        }
        router.get("/readyz") { _, _ in
            let pending: [String: [FetchStatus.State: Int]]
            do {
                try await store.ping()
                pending = try await store.pendingFetchCounts()
            } catch {
                throw APIError(.serviceUnavailable, code: "store_unreachable", message: "the store does not answer")
            }
            // A mailbox or platform that fails does not stop the gateway taking leads: it stays ready, and says
            // which source is degraded and why.
            return JSONBody.response(Readiness(polls: health.polls, pending: pending))
        }
        router.get("/api/leads") { request, _ in
            try authorize(request, needs: .read)
            return JSONBody.response(try await store.leads(try Self.query(request)))
        }
        router.get("/api/leads/:id") { request, context in
            try authorize(request, needs: .read)
            let id = context.parameters.get("id") ?? ""
            guard let lead = try await store.lead(id: id) else {
                throw APIError(.notFound, code: "lead_not_found", message: "no lead with id '\(id)'")
            }
            return JSONBody.response(lead)
        }
        router.patch("/api/leads/:id") { request, context in
            let token = try authorize(request, needs: .write)
            let id = context.parameters.get("id") ?? ""
            var request = request
            let body = try await request.collectBody(upTo: 64 * 1024)
            let moment = now()
            let patch = try LeadPatch.parse(Array(buffer: body), now: moment)
            let at = patch.at ?? moment
            let catalog = config.catalog
            let timeZone = config.server.timeZone
            guard let lead = try await store.update(leadID: id, actor: token.name, at: at, recordedAt: moment, routes: routes, { lead in
                try patch.apply(to: lead, catalog: catalog, at: at, timeZone: timeZone)
            }) else {
                throw APIError(.notFound, code: "lead_not_found", message: "no lead with id '\(id)'")
            }
            return JSONBody.response(lead)
        }
        router.get("/api/leads/:id/history") { request, context in
            try authorize(request, needs: .read)
            let id = context.parameters.get("id") ?? ""
            guard try await store.lead(id: id) != nil else {
                throw APIError(.notFound, code: "lead_not_found", message: "no lead with id '\(id)'")
            }
            return JSONBody.response(["history": try await store.history(leadID: id)])
        }
        router.get("/api/deliveries") { request, _ in
            try authorize(request, needs: .read)
            var status: DeliveryStatus?
            if let text = request.uri.queryParameters["status"].map(String.init) {
                guard let value = DeliveryStatus(rawValue: text) else {
                    throw APIError.badRequest(
                        "status must be one of \(DeliveryStatus.allCases.map(\.rawValue).joined(separator: ", ")), found '\(text)'",
                        code: "invalid_parameter"
                    )
                }
                status = value
            }
            return JSONBody.response(DeliveriesBody(
                deliveries: try await store.deliveries(status: status, limit: 200),
                disabledChannels: try await store.disabledChannels(),
                pausedChannels: try await store.pausedChannels(at: Date())
            ))
        }
        router.get("/api/deliveries/:id") { request, context in
            try authorize(request, needs: .read)
            let id = context.parameters.get("id") ?? ""
            let attempts = try await store.attempts(deliveryID: id)
            return JSONBody.response(["attempts": attempts])
        }
        router.post("/api/deliveries/:id/retry") { request, context in
            try authorize(request, needs: .write)
            let id = context.parameters.get("id") ?? ""
            guard try await store.retryDelivery(id: id, now: now()) else {
                throw APIError(.notFound, code: "delivery_not_found", message: "no failed or dead delivery with id '\(id)'")
            }
            return JSONBody.response(["id": id, "status": DeliveryStatus.pending.rawValue])
        }
        router.get("/metrics") { _, _ in
            let pending = try await store.pendingFetchCounts().mapValues { states in
                Dictionary(uniqueKeysWithValues: states.map { ($0.key.rawValue, $0.value) })
            }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.prometheusText() + health.prometheusText(pending: pending)))
            )
        }
        router.get("/api/quarantine") { request, _ in
            try authorize(request, needs: .read)
            return JSONBody.response(["entries": try await store.quarantined(limit: 100)])
        }
    }

    /// Checks `Authorization: Bearer <token>` against the configured tokens in constant time; returns the token.
    @discardableResult
    func authorize(_ request: Request, needs role: AdminRole) throws -> AdminToken {
        try AdminAuth(tokens: config.adminTokens).authorize(request, needs: role)
    }

    static func query(_ request: Request) throws -> LeadQuery {
        let parameters = request.uri.queryParameters
        var query = LeadQuery()
        if let status = parameters["status"].map(String.init) {
            guard let value = LeadStatus(rawValue: status) else {
                throw APIError.badRequest(
                    "status must be one of \(LeadStatus.allCases.map(\.rawValue).joined(separator: ", ")), found '\(status)'",
                    code: "invalid_parameter"
                )
            }
            query.status = value
        }
        query.source = parameters["source"].map(String.init)
        query.product = parameters["product"].map(String.init)
        query.owner = parameters["owner"].map(String.init)
        if let since = parameters["since"].map(String.init) {
            guard let date = Self.parseDate(since) else {
                throw APIError.badRequest("since must be a date (2026-11-28) or an ISO 8601 time, found '\(since)'", code: "invalid_parameter")
            }
            query.since = date
        }
        query.text = parameters["q"].map(String.init)
        query.after = parameters["cursor"].map(String.init)
        if let limit = parameters["limit"].map(String.init) {
            guard let value = Int(limit), (1...500).contains(value) else {
                throw APIError.badRequest("limit must be a whole number from 1 to 500, found '\(limit)'", code: "invalid_parameter")
            }
            query.limit = value
        }
        return query
    }

    static func parseDate(_ text: String) -> Date? {
        if let date = try? Date(text, strategy: .iso8601) { return date }
        let day = Date.ISO8601FormatStyle().year().month().day()
        return try? Date(text, strategy: day)
    }
}

private struct DeliveriesBody: Encodable {
    var deliveries: [Delivery]
    var disabledChannels: [String: String]
    var pausedChannels: [String: ChannelPause]

    enum CodingKeys: String, CodingKey {
        case deliveries, disabledChannels = "disabled_channels", pausedChannels = "paused_channels"
    }
}

extension LeadPage: Encodable {
    enum CodingKeys: String, CodingKey { case leads, next }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(leads, forKey: .leads)
        try container.encode(next, forKey: .next)
    }
}

/// `/readyz`: ready while the store answers; `degraded` names the polled sources that are failing.
struct Readiness: Encodable {
    struct Poll: Encodable {
        var state: String
        var lastSuccess: Date?
        var lastError: String?
        var consecutiveFailures: Int
        var nextPollAt: Date?

        enum CodingKeys: String, CodingKey {
            case state, lastSuccess = "last_success", lastError = "last_error", consecutiveFailures = "consecutive_failures"
            case nextPollAt = "next_poll_at"
        }
    }

    var status: String
    var sources: [String: Poll]
    var pendingFetches: [String: [String: Int]]

    init(polls: [String: SourceHealth.PollState], pending: [String: [FetchStatus.State: Int]]) {
        sources = polls.mapValues { poll in
            Poll(
                state: poll.consecutiveFailures == 0 ? "ok" : "failing", lastSuccess: poll.lastSuccess, lastError: poll.lastError,
                consecutiveFailures: poll.consecutiveFailures, nextPollAt: poll.nextPollAt)
        }
        pendingFetches = pending.mapValues { states in Dictionary(uniqueKeysWithValues: states.map { ($0.key.rawValue, $0.value) }) }
        status = sources.values.contains { $0.state != "ok" } ? "degraded" : "ready"
    }

    enum CodingKeys: String, CodingKey {
        case status, sources, pendingFetches = "pending_fetches"
    }
}

/// Checks an admin token: `Authorization: Bearer <token>`, or HTTP Basic with the token as the password (what a
/// browser can send for the dashboard). Every configured token is compared in constant time.
struct AdminAuth: Sendable {
    let tokens: [AdminToken]

    /// The token presented, if it is valid and may do `role`; else 401 (with `challenge` as WWW-Authenticate) or 403.
    @discardableResult
    func authorize(_ request: Request, needs role: AdminRole, challenge: String = "Bearer realm=\"leadgate\"") throws -> AdminToken {
        let challengeHeaders: HTTPFields = [.wwwAuthenticate: challenge]
        guard let presented = Self.presentedToken(request) else {
            throw APIError(.unauthorized, code: "unauthorized", message: "send Authorization: Bearer <token>", headers: challengeHeaders)
        }
        var granted: AdminToken?
        // Every token is compared, in constant time each, so timing tells nothing about which matched.
        for token in tokens where Signature.constantTimeEquals(presented, token.token) {
            granted = token
        }
        guard let granted else {
            throw APIError(.unauthorized, code: "unauthorized", message: "the token is not valid", headers: challengeHeaders)
        }
        if role == .write, granted.role != .write {
            throw APIError(.forbidden, code: "forbidden", message: "this token may only read")
        }
        return granted
    }

    static func presentedToken(_ request: Request) -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let lowered = header.lowercased()
        if lowered.hasPrefix("bearer ") {
            return header.dropFirst("bearer ".count).trimmingCharacters(in: .whitespaces)
        }
        if lowered.hasPrefix("basic "),
           let decoded = Data(base64Encoded: header.dropFirst("basic ".count).trimmingCharacters(in: .whitespaces)),
           let text = String(data: decoded, encoding: .utf8), let colon = text.firstIndex(of: ":") {
            return String(text[text.index(after: colon)...])
        }
        return nil
    }
}
