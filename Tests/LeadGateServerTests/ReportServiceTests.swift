import Foundation
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import LeadGateCore
import LeadGateServer
import LeadGateSourceKit
import NIOCore
import Testing

/// The report service's glue: snapshots rebuilt as of the eve of a quarter, and accuracy against what was won.
@Suite struct ReportServiceTests {
    static let products = """
          - { name: website, type: web_form }
        products:
          - name: crm
            deal: { amount: 10000, currency: ILS, cycle_days: 60 }
            stages: { new: 0.1, contacted: 0.2, proposal: 0.5, negotiation: 0.8 }
            criteria: { version: 1, threshold: 10, rules: [ { name: has-email, when: { field: email, present: true }, points: 10 } ] }
            assign: { strategy: round_robin, owners: [dana@acme.co.il, avi@acme.co.il] }
        default_product: crm
        """

    @Test("a quarter's snapshot is the forecast as it stood the day before; accuracy compares it with what was won")
    func snapshotAndAccuracy() async throws {
        // Mid-November 2026: the fourth quarter began on 1 October.
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_262_400)) // 2026-11-15T12:00:00Z
        let gateway = try await makeGateway(sources: Self.products, clock: clock)
        let source = try #require(gateway.config.source(named: "website"))
        // Three opportunities created on 2026-08-10 (imported history): 10,000 each at `new` (0.1), expected to close
        // 60 days later, 2026-10-09: in the fourth quarter. Owners dealt dana, avi, dana.
        let created = Date(timeIntervalSince1970: 1_786_363_200) // 2026-08-10T12:00:00Z
        let drafts = (1...3).map { number in
            LeadDraft(fields: [RawField("email", "buyer\(number)@acme.co.il"), RawField("name", "קונה \(number)")], receivedAt: created)
        }
        let request = InboundRequest(method: "IMPORT", path: "history.csv", receivedAt: created)
        let outcomes = try await gateway.pipeline.process(drafts, from: source, request: request)
        #expect(outcomes.allSatisfy { $0.status == .opportunity })

        // On 20 October the first is won, for 12,000: after the quarter began, so not in its snapshot.
        try await Application(router: gateway.router()).test(.router) { client in
            try await client.execute(
                uri: "/api/leads/\(outcomes[0].leadID)", method: .patch,
                headers: [.authorization: "Bearer test-admin-token-123456", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"stage": "won", "amount": 12000, "at": "2026-10-20T10:00:00Z"}"#)
            ) { #expect($0.status == .ok) }
        }

        let snapshots = try await gateway.reports.takeSnapshot(period: .quarter)
        // As of 2026-09-30: 3 × 10,000 × 0.1 = 3,000 for the org; dana 2 × 1,000, avi 1 × 1,000.
        let org = try #require(snapshots.first { $0.grouping == .org })
        #expect(org.period == "2026-Q4")
        #expect(org.weighted == 3_000)
        #expect(org.currency == "ILS")
        #expect(snapshots.filter { $0.grouping == .owner }.map(\.weighted).sorted() == [1_000, 2_000])

        // Won in the quarter: 12,000 against a forecast of 3,000: error 9,000, APE 9,000 / 12,000 = 0.75.
        let accuracy = try await gateway.reports.accuracy(by: .org)
        let row = try #require(accuracy.first)
        #expect(accuracy.count == 1)
        #expect(row.period == "2026-Q4")
        #expect(row.forecast == 3_000)
        #expect(row.actual == 12_000)
        #expect(row.error == 9_000)
        #expect(row.absolutePercentageError == 0.75)

        // Today's forecast of the quarter: the won deal (12,000) and two open ones still at 0.1 (2 × 1,000).
        let now = try await gateway.reports.forecast(.init(period: .quarter, grouping: .org, from: "2026-10-01", to: "2026-12-31"))
        let quarter = try #require(now.report.rows.first)
        #expect(quarter.wonAmount == 12_000)
        #expect(quarter.weightedPipeline == 2_000)
        await gateway.config.http.shutdown()
    }

    @Test("learned probabilities: the observed win rate, shrunk toward the configured one by prior_weight", arguments: [
        // One closed opportunity that passed `new`, won: (1 + k × 0.1) / (1 + k); two open ones of 10,000 at `new`.
        (0.0, 20_000.0), // k = 0: the observed rate, 1 → 2 × 10,000 × 1
        (10.0, 20_000.0 * 2 / 11), // k = 10: (1 + 1) / 11 = 2/11
    ])
    func learnedProbabilities(priorWeight: Double, weighted: Double) async throws {
        let clock = TestClock(Date(timeIntervalSince1970: 1_795_262_400)) // 2026-11-15T12:00:00Z
        let gateway = try await makeGateway(
            sources: Self.products + "\nforecast: { probability: learned, prior_weight: \(priorWeight) }", clock: clock)
        let source = try #require(gateway.config.source(named: "website"))
        let created = Date(timeIntervalSince1970: 1_786_363_200) // 2026-08-10T12:00:00Z
        let drafts = (1...3).map { LeadDraft(fields: [RawField("email", "b\($0)@acme.co.il")], receivedAt: created) }
        let outcomes = try await gateway.pipeline.process(drafts, from: source, request: InboundRequest(method: "IMPORT", path: "x", receivedAt: created))
        try await Application(router: gateway.router()).test(.router) { client in
            try await client.execute(
                uri: "/api/leads/\(outcomes[0].leadID)", method: .patch,
                headers: [.authorization: "Bearer test-admin-token-123456", .contentType: "application/json"],
                body: ByteBuffer(string: #"{"stage": "won", "at": "2026-10-20T10:00:00Z"}"#)
            ) { #expect($0.status == .ok) }
        }
        let answer = try await gateway.reports.forecast(.init(period: .quarter, grouping: .org, from: "2026-10-01", to: "2026-12-31"))
        #expect(answer.probability == "learned")
        let row = try #require(answer.report.rows.first)
        #expect(abs(row.weightedPipeline - weighted) < 0.001, "\(row.weightedPipeline)")
        await gateway.config.http.shutdown()
    }
}
