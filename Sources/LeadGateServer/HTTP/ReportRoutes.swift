import Foundation
import HTTPTypes
import Hummingbird
import LeadGateCore
import LeadGateNotify
import LeadGateStore
import NIOCore

/// `/api/forecast`, `/api/forecast/accuracy`, `/api/forecast/snapshots`, `/api/funnel` (JSON, or CSV with
/// `?format=csv`) and the dashboard at `/`.
struct ReportRoutes: Sendable {
    let reports: ReportService
    let config: GatewayConfig
    let store: any LeadStore
    let metrics: DeliveryMetrics
    let health: SourceHealth

    func add(to router: Router<GatewayRequestContext>) {
        let auth = AdminAuth(tokens: config.adminTokens)
        router.get("/api/forecast") { request, _ in
            try auth.authorize(request, needs: .read)
            let parameters = request.uri.queryParameters
            let query = ReportService.ForecastQuery(
                period: try Self.choice(parameters["period"], ReportPeriod.self, name: "period") ?? .quarter,
                grouping: try Self.choice(parameters["by"], ForecastGrouping.self, name: "by") ?? .org,
                from: parameters["from"].map(String.init), to: parameters["to"].map(String.init), asOf: parameters["as_of"].map(String.init))
            let answer = try await reports.forecast(query)
            return try Self.answer(answer, csv: ReportCSV.forecast(answer.report.rows), request: request, name: "forecast")
        }
        router.get("/api/forecast/accuracy") { request, _ in
            try auth.authorize(request, needs: .read)
            let grouping = try Self.choice(request.uri.queryParameters["by"], ForecastGrouping.self, name: "by") ?? .org
            return JSONBody.response(["rows": try await reports.accuracy(by: grouping)])
        }
        router.post("/api/forecast/snapshots") { request, _ in
            try auth.authorize(request, needs: .write)
            let period = try Self.choice(request.uri.queryParameters["period"], ReportPeriod.self, name: "period") ?? .quarter
            return JSONBody.response(["snapshots": try await reports.takeSnapshot(period: period)], status: .created)
        }
        router.get("/api/funnel") { request, _ in
            try auth.authorize(request, needs: .read)
            let parameters = request.uri.queryParameters
            let grouping = try Self.choice(parameters["by"], FunnelGrouping.self, name: "by") ?? .source
            let include = Set((parameters["include"].map(String.init) ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            if let unknown = include.first(where: { !["test", "rejected", ""].contains($0) }) {
                throw APIError(.badRequest, code: "invalid_parameter", message: "include takes test and rejected, found '\(unknown)'")
            }
            let rows = try await reports.funnel(
                by: grouping, includeTest: include.contains("test"), includeRejected: include.contains("rejected"),
                from: parameters["from"].map(String.init), to: parameters["to"].map(String.init))
            return try Self.answer(FunnelAnswer(by: grouping, rows: rows), csv: ReportCSV.funnel(rows), request: request, name: "funnel")
        }
        router.get("/") { request, _ in
            try auth.authorize(request, needs: .read, challenge: "Basic realm=\"LeadGate\", charset=\"UTF-8\"")
            // `?lang=he|en` (a link on the page) wins; else the browser's Accept-Language; else the config's language.
            let language = request.uri.queryParameters["lang"].flatMap { DashboardLanguage(rawValue: String($0)) }
                ?? DashboardLanguage.negotiate(acceptLanguage: request.headers[.acceptLanguage], configured: config.dashboard.language)
            let model = try await DashboardBuilder(reports: reports, store: store, health: health).model(language: language)
            return Response(
                status: .ok,
                headers: [
                    .contentType: "text/html; charset=utf-8", .vary: "Accept-Language",
                    .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
                ],
                body: .init(byteBuffer: ByteBuffer(string: DashboardRenderer.render(model))))
        }
    }

    /// A query parameter that must be one of `T`'s raw values; nil when absent.
    static func choice<T: RawRepresentable & CaseIterable>(_ value: Substring?, _ type: T.Type, name: String) throws -> T? where T.RawValue == String {
        guard let value else { return nil }
        guard let chosen = T(rawValue: String(value)) else {
            let allowed = T.allCases.map(\.rawValue).joined(separator: ", ")
            throw APIError(.badRequest, code: "invalid_parameter", message: "\(name) must be one of \(allowed), found '\(value)'")
        }
        return chosen
    }

    /// JSON of `value`, or `csv` as an attachment when `?format=csv`.
    static func answer(_ value: some Encodable, csv: @autoclosure () -> String, request: Request, name: String) throws -> Response {
        switch request.uri.queryParameters["format"].map(String.init) ?? "json" {
        case "json": return JSONBody.response(value)
        case "csv":
            return Response(
                status: .ok,
                headers: [.contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"\(name).csv\""],
                body: .init(byteBuffer: ByteBuffer(string: csv())))
        case let other:
            throw APIError(.badRequest, code: "invalid_parameter", message: "format must be json or csv, found '\(other)'")
        }
    }
}

/// `GET /api/funnel`'s JSON.
struct FunnelAnswer: Encodable {
    var by: FunnelGrouping
    var rows: [FunnelRow]
}
