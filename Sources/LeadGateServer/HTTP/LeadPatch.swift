import Foundation
import LeadGateCore
import LeadGateStore

/// A validated `PATCH /api/leads/{id}` body: what a person (or a CRM syncing outcomes) changes.
struct LeadPatch: Sendable {
    var promote = false
    var stage: String?
    var amount: Double?
    var currency: String?
    var expectedClose: String?
    var owner: String?
    /// When the change really happened (an outcome synced late lands on its true date).
    var at: Date?

    static let keys = ["status", "stage", "amount", "currency", "expected_close", "owner", "at"]

    /// Parses and checks the body's types and formats; stage names are checked against the lead's product later.
    static func parse(_ body: [UInt8], now: Date) throws(APIError) -> LeadPatch {
        guard !body.isEmpty else { throw .badRequest("the body is empty; send a JSON object with any of \(keys.joined(separator: ", "))", code: "empty_body") }
        let object: [String: Any]
        do {
            guard let parsed = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else {
                throw APIError.badRequest("the body must be a JSON object", code: "invalid_json")
            }
            object = parsed
        } catch let error as APIError {
            throw error
        } catch {
            throw .badRequest("the body is not valid JSON", code: "invalid_json")
        }
        if let unknown = object.keys.sorted().first(where: { !keys.contains($0) }) {
            throw .badRequest("unknown field '\(unknown)' (fields: \(keys.joined(separator: ", ")))", code: "unknown_field")
        }
        guard !object.isEmpty else { throw .badRequest("nothing to change; send any of \(keys.joined(separator: ", "))", code: "empty_change") }
        var patch = LeadPatch()
        if let status = object["status"] {
            guard let text = status as? String, text == LeadStatus.opportunity.rawValue else {
                throw invalid("status", "can only be \"opportunity\" (to promote a lead by hand)")
            }
            patch.promote = true
        }
        if let stage = object["stage"] {
            guard let text = stage as? String, !text.isEmpty else { throw invalid("stage", "must be a stage name") }
            patch.stage = text
        }
        if let amount = object["amount"] {
            guard let number = amount as? NSNumber, !(amount is Bool), number.doubleValue.isFinite, number.doubleValue >= 0 else {
                throw invalid("amount", "must be a number of 0 or more")
            }
            patch.amount = number.doubleValue
        }
        if let currency = object["currency"] {
            guard let text = currency as? String, text.count == 3, text.allSatisfy({ $0.isASCII && $0.isLetter }) else {
                throw invalid("currency", "must be an ISO 4217 code like ILS, USD or EUR")
            }
            patch.currency = text.uppercased()
        }
        if let close = object["expected_close"] {
            guard let text = close as? String, CalendarDay.isValid(text) else { throw invalid("expected_close", "must be a date like 2027-01-31") }
            patch.expectedClose = text
        }
        if let owner = object["owner"] {
            guard let text = owner as? String, !UnicodeText.isBlank(text), text.count <= 200 else {
                throw invalid("owner", "must be a non-empty name or email (at most 200 characters)")
            }
            patch.owner = UnicodeText.cleaned(text)
        }
        if let at = object["at"] {
            guard let text = at as? String, let date = try? Date(text, strategy: .iso8601) else {
                throw invalid("at", "must be an ISO 8601 time like 2026-12-01T10:00:00Z")
            }
            guard date <= now.addingTimeInterval(300) else { throw invalid("at", "is in the future") }
            patch.at = date
        }
        return patch
    }

    private static func invalid(_ field: String, _ message: String) -> APIError {
        APIError(.unprocessableContent, code: "invalid_field", message: "\(field) \(message)")
    }

    /// The lead's new state: promotion, stage (won/lost close it), amount, currency, close date, owner.
    func apply(to lead: Lead, catalog: ProductCatalog?, at date: Date, timeZone: TimeZone) throws(APIError) -> LeadState {
        if date < lead.createdAt {
            throw Self.invalid("at", "(\(date.formatted(.iso8601))) is before the lead was created (\(lead.createdAt.formatted(.iso8601)))")
        }
        var state = LeadState(of: lead)
        let product = lead.product.flatMap { catalog?.product(named: $0) } ?? catalog?.defaultProduct
        let stages = product?.stages ?? .standard
        if promote, state.status != .opportunity {
            state.status = .opportunity
            state.rejectReason = nil
            state.product = state.product ?? product?.name
            let initial = stages.initial
            state.opportunity = Opportunity(
                stage: initial, amount: product?.deal.amount, currency: product?.deal.currency,
                probability: stages.probability(of: initial) ?? 0,
                expectedClose: product?.deal.cycleDays.map { CalendarDay.string(date.addingTimeInterval(Double($0) * 86_400), in: timeZone) }
            )
        }
        let changesOpportunity = stage != nil || amount != nil || currency != nil || expectedClose != nil
        guard var opportunity = state.opportunity else {
            if changesOpportunity {
                throw APIError(
                    .conflict, code: "not_an_opportunity",
                    message: "lead \(lead.id) is \(lead.status.rawValue), not an opportunity; send \"status\": \"opportunity\" to promote it"
                )
            }
            state.owner = owner ?? state.owner
            return state
        }
        if let stage {
            guard let probability = stages.probability(of: stage) else {
                let names = stages.stages.map(\.name)
                throw Self.invalid("stage", "'\(stage)' is not a stage of product '\(product?.name ?? "-")' (stages: \(names.joined(separator: ", ")))")
            }
            opportunity.stage = stage
            opportunity.probability = probability
            let closing = stage == StageTable.won || stage == StageTable.lost
            opportunity.closedAt = closing ? date : nil
        }
        opportunity.amount = amount ?? opportunity.amount
        opportunity.currency = currency ?? opportunity.currency
        opportunity.expectedClose = expectedClose ?? opportunity.expectedClose
        opportunity.manual = true
        state.opportunity = opportunity
        state.owner = owner ?? state.owner
        return state
    }
}
