import Foundation
import LeadGateCore
import LeadGateNotify
import LeadGateStore

/// Gathers what the dashboard at `/` shows from the reports and the store, for `DashboardRenderer`.
struct DashboardBuilder: Sendable {
    let reports: ReportService
    let store: any LeadStore
    let health: SourceHealth

    func model(language: DashboardLanguage) async throws -> DashboardModel {
        let config = reports.config
        let now = reports.now()
        let funnel = try await reports.funnel(by: .source)
        let leads = funnel.reduce(0) { $0 + $1.leads }
        let opportunities = funnel.reduce(0) { $0 + $1.opportunities }
        let won = funnel.reduce(0) { $0 + $1.won }
        let lost = funnel.reduce(0) { $0 + $1.lost }
        let stages: [DashboardModel.FunnelStage] = [
            .init(.leads, count: leads),
            .init(.opportunities, count: opportunities, conversion: leads == 0 ? nil : Double(opportunities) / Double(leads)),
            .init(.won, count: won, conversion: won + lost == 0 ? nil : Double(won) / Double(won + lost)),
        ]

        let byOrg = try await reports.forecast(.init(period: .quarter, grouping: .org))
        let buckets = byOrg.report.rows.map { row in
            DashboardModel.ForecastBucket(
                period: row.period, currency: row.currency, weighted: row.weightedPipeline, won: row.wonAmount, commit: row.commit,
                bestCase: row.bestCase)
        }

        let byOwner = try await reports.forecast(.init(period: .year, grouping: .owner))
        let winRates = Dictionary(try await reports.funnel(by: .owner).map { ($0.group, $0.opportunityToWon) }, uniquingKeysWith: { a, _ in a })
        var reps: [String?: (open: Int, weighted: [String: Double], won: [String: Double])] = [:]
        for row in byOwner.report.rows {
            var rep = reps[row.group] ?? (0, [:], [:])
            rep.open += row.openCount
            rep.weighted[row.currency, default: 0] += row.weightedPipeline
            rep.won[row.currency, default: 0] += row.wonAmount
            reps[row.group] = rep
        }
        let repRows = reps.sorted { ($0.key ?? "") < ($1.key ?? "") }.map { owner, rep in
            DashboardModel.Rep(
                owner: owner, openOpportunities: rep.open,
                weighted: rep.weighted.sorted { $0.key < $1.key }.map { DashboardModel.Money($0.value, $0.key) },
                won: rep.won.sorted { $0.key < $1.key }.map { DashboardModel.Money($0.value, $0.key) },
                winRate: winRates[owner] ?? nil)
        }

        let recent = try await store.leads(LeadQuery(status: .opportunity, limit: 10)).leads.compactMap { lead -> DashboardModel.RecentOpportunity? in
            guard let qualification = lead.qualification else { return nil }
            return DashboardModel.RecentOpportunity(
                leadID: lead.id, name: lead.contact.fullName ?? lead.contact.email, product: lead.product ?? "", owner: lead.owner,
                qualification: qualification, createdAt: lead.createdAt)
        }

        let disabled = try await store.disabledChannels()
        let paused = try await store.pausedChannels(at: now)
        var deliveries: [String: (delivered: Int, failed: Int, pending: Int)] = [:]
        for channel in config.notifications { deliveries[channel.name] = (0, 0, 0) }
        for status in [DeliveryStatus.delivered, .failed, .dead, .pending] {
            for delivery in try await store.deliveries(status: status, limit: 1000) {
                var tally = deliveries[delivery.channel] ?? (0, 0, 0)
                switch status {
                case .delivered: tally.delivered += 1
                case .failed, .dead: tally.failed += 1
                default: tally.pending += 1
                }
                deliveries[delivery.channel] = tally
            }
        }
        let deliveryRows = deliveries.sorted { $0.key < $1.key }.map { name, tally in
            DashboardModel.Delivery(
                channel: name, delivered: tally.delivered, failed: tally.failed, pending: tally.pending,
                disabledReason: disabled[name], pausedUntil: paused[name]?.until)
        }

        let pending = try await store.pendingFetchCounts()
        let quarantined = try await store.quarantined(limit: 500)
        let polls = health.polls
        var sources: [DashboardModel.Source] = []
        for source in config.sources {
            let recentLeads = try await store.leads(LeadQuery(source: source.name, since: now.addingTimeInterval(-86_400), limit: 500)).leads
            let last = try await store.leads(LeadQuery(source: source.name, limit: 1)).leads.first
            let poller: DashboardModel.Source.Poller? = polls[source.name].map { poll in
                poll.lastError.map { .failing(error: $0) } ?? .healthy(lastPollAt: poll.lastSuccess)
            }
            sources.append(DashboardModel.Source(
                name: source.name, type: source.type, leadsLast24Hours: recentLeads.count,
                quarantined: quarantined.filter { $0.source == source.name }.count, lastLeadAt: last?.createdAt,
                fetchPending: pending[source.name].map { $0.values.reduce(0, +) }, poller: poller))
        }

        return DashboardModel(
            title: config.dashboard.title, generatedAt: now, timeZone: config.server.timeZone, language: language, funnel: stages,
            forecast: buckets, reps: repRows, recentOpportunities: recent, deliveries: deliveryRows, sources: sources)
    }
}
