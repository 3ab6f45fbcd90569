import Foundation
import LeadGateCore
@testable import LeadGateServer

/// Dashboard models for the tests: a busy one with hostile strings in every user-provided place, and an empty one.
enum DashboardFixture {
    static let now = Date(timeIntervalSince1970: 1_784_000_000) // 2026-07-14 03:33:20 UTC
    static let jerusalem = TimeZone(identifier: "Asia/Jerusalem") ?? .gmt
    static let hostile = "<script>alert(\"x\")</script> & 'friends'"

    /// ILS buckets: weighted 30,000 / 12,500 / 0 and won 12,000 / 40,000 / 5,000, so the axis tops out at 40,000.
    static let ilsBuckets = [
        DashboardModel.ForecastBucket(period: "2026-Q3", currency: "ILS", weighted: 30_000, won: 12_000, commit: 35_000, bestCase: 60_000),
        DashboardModel.ForecastBucket(period: "2026-Q4", currency: "ILS", weighted: 12_500, won: 40_000, commit: 45_000, bestCase: 70_000),
        DashboardModel.ForecastBucket(period: "2027-Q1", currency: "ILS", weighted: 0, won: 5_000, commit: 5_000, bestCase: 5_000),
    ]
    static let usdBuckets = [
        DashboardModel.ForecastBucket(period: "2026-Q3", currency: "USD", weighted: 1_800.4, won: 0, commit: 0, bestCase: 4_000),
        DashboardModel.ForecastBucket(period: "2026-Q4", currency: "USD", weighted: 900, won: 2_500, commit: 2_500, bestCase: 3_000),
    ]

    static func busy(_ language: DashboardLanguage) -> DashboardModel {
        DashboardModel(
            title: "Acme \"R&D\" <Ltd>", generatedAt: now, timeZone: jerusalem, language: language,
            funnel: [
                .init(.leads, count: 1_200),
                .init(.opportunities, count: 300, conversion: 0.25),
                .init(.won, count: 45, conversion: 0.6),
            ],
            // Interleaved on purpose: the page groups by currency, in the order currencies first appear.
            forecast: [ilsBuckets[0], usdBuckets[0], ilsBuckets[1], usdBuckets[1], ilsBuckets[2]],
            reps: [
                .init(
                    owner: "dana@example.com", openOpportunities: 12, weighted: [.init(42_500, "ILS"), .init(900, "USD")],
                    won: [.init(57_000, "ILS")], winRate: 0.375
                ),
                .init(owner: hostile, openOpportunities: 1, weighted: [], won: [], winRate: nil),
                .init(owner: nil, openOpportunities: 3, weighted: [.init(7_000, "ILS")], won: [], winRate: nil),
            ],
            recentOpportunities: [
                .init(
                    leadID: "ld_01J2ZK7Q8RSTVWXYZ0123456AB", name: "נועה כהן", product: "solar-panels", owner: "dana@example.com",
                    qualification: Qualification(
                        criteria: "solar-panels@3", score: 70, decision: .opportunity, rejectedBy: nil,
                        reasons: [
                            QualificationReason(rule: "homeowner", passed: true, points: 40, value: "yes"),
                            QualificationReason(rule: "budget", passed: true, points: 30, value: "50000"),
                            QualificationReason(rule: "region", passed: false, points: 0, value: "Eilat", note: nil),
                        ]
                    ),
                    createdAt: now.addingTimeInterval(-3_600)
                ),
                .init(
                    leadID: "ld_01J2ZK7Q8RSTVWXYZ0123456AC", name: hostile, product: "<b>pro</b>", owner: nil,
                    qualification: Qualification(
                        criteria: "pro@1", score: 10, decision: .opportunity, rejectedBy: nil,
                        reasons: [QualificationReason(rule: "rule \"<x>\"", passed: true, points: 10, value: hostile, note: "not a number")]
                    ),
                    createdAt: now.addingTimeInterval(-7_200)
                ),
            ],
            deliveries: [
                .init(channel: "crm-webhook", delivered: 1_234, failed: 0, pending: 2),
                .init(channel: "x\" onmouseover=\"alert(1)", delivered: 10, failed: 3, pending: 0, disabledReason: "410 Gone from <receiver>"),
                .init(channel: "sales-slack", delivered: 5, failed: 1, pending: 7, pausedUntil: now.addingTimeInterval(3_600)),
            ],
            sources: [
                .init(name: "website", type: "web_form", leadsLast24Hours: 87, quarantined: 0, lastLeadAt: now.addingTimeInterval(-60)),
                .init(
                    name: "meta", type: "meta_lead_ads", leadsLast24Hours: 12, quarantined: 2, lastLeadAt: nil, fetchPending: 4,
                    poller: .failing(error: "HTTP 401 <invalid token>")
                ),
                .init(
                    name: "inbox", type: "email", leadsLast24Hours: 0, quarantined: 0, lastLeadAt: nil,
                    poller: .healthy(lastPollAt: now.addingTimeInterval(-30))
                ),
            ]
        )
    }

    static func empty(_ language: DashboardLanguage) -> DashboardModel {
        DashboardModel(title: "Acme", generatedAt: now, timeZone: jerusalem, language: language)
    }
}

/// One `<rect class="bar …">` of a rendered chart.
struct RenderedBar: Equatable {
    var kind: String
    var x: Double
    var y: Double
    var width: Double
    var height: Double
    var value: Double
}

/// Reading the rendered page back in tests.
enum RenderedPage {
    /// The markup of the `<svg>` with `id`, nil when there is none.
    static func svg(_ id: String, in html: String) -> Substring? {
        guard let start = html.range(of: "<svg id=\"\(id)\"") else { return nil }
        guard let end = html.range(of: "</svg>", range: start.upperBound..<html.endIndex) else { return nil }
        return html[start.lowerBound..<end.upperBound]
    }

    /// The bars of a chart, in document order.
    static func bars(in svg: Substring) -> [RenderedBar] {
        let pattern = #/<rect class="bar (\w+)" x="([-\d.]+)" y="([-\d.]+)" width="([-\d.]+)" height="([-\d.]+)" data-value="([-\d.]+)">/#
        return svg.matches(of: pattern).compactMap { match in
            guard let x = Double(match.2), let y = Double(match.3), let width = Double(match.4),
                  let height = Double(match.5), let value = Double(match.6) else { return nil }
            return RenderedBar(kind: String(match.1), x: x, y: y, width: width, height: height, value: value)
        }
    }

    static func occurrences(of needle: String, in text: String) -> Int {
        text.ranges(of: needle).count
    }
}
