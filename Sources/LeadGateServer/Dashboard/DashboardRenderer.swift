import Foundation
import LeadGateCore

/// The dashboard page (`GET /`): one complete HTML document from a `DashboardModel`.
///
/// Self-contained: inline CSS, hand-built SVG charts, no script, and a Content-Security-Policy that
/// forbids the browser to fetch anything at all. Every string of the model is HTML-escaped and isolated
/// for bidi (`<bdi>`), so a Latin name reads right inside the Hebrew page and the other way round.
public struct DashboardRenderer: Sendable {
    let model: DashboardModel
    let text: DashboardText

    /// The page for `model`, in `model.language`.
    public static func render(_ model: DashboardModel) -> String {
        DashboardRenderer(model: model, text: .of(model.language)).document()
    }

    private func document() -> String {
        let language = model.language
        return """
            <!DOCTYPE html>
            <html lang="\(language.rawValue)" dir="\(language.direction)">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'">
            <link rel="icon" href="data:,">
            <title>\(DashboardFormat.escape(model.title)) · \(text.pageTitle)</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <header>
            <h1><bdi>\(DashboardFormat.escape(model.title))</bdi> · \(text.pageTitle)</h1>
            <p>\(text.updated) \(time(model.generatedAt)) · \(text.timesIn) <bdi>\(DashboardFormat.escape(model.timeZone.identifier))</bdi></p>
            </header>
            <main>
            \(section("funnel", text.funnel, funnelSection()))
            \(section("reps", text.reps, repsSection()))
            \(section("forecast", text.forecast, forecastSection(), wide: true))
            \(section("recent", text.recent, recentSection(), wide: true))
            \(section("deliveries", text.deliveries, deliveriesSection(), wide: true))
            \(section("sources", text.sources, sourcesSection(), wide: true))
            </main>
            </body>
            </html>

            """
    }

    private func section(_ id: String, _ heading: String, _ body: String, wide: Bool = false) -> String {
        """
        <section id="\(id)" class="card\(wide ? " wide" : "")" aria-labelledby="\(id)-heading">
        <h2 id="\(id)-heading">\(heading)</h2>
        \(body)
        </section>
        """
    }

    // MARK: Sections

    private func funnelSection() -> String {
        guard model.funnel.contains(where: { $0.count > 0 }) else { return empty(text.funnelEmpty) }
        return funnelChart() + "\n<p class=\"note\">\(text.ratioNote)</p>"
    }

    private func forecastSection() -> String {
        guard !model.forecast.isEmpty else { return empty(text.forecastEmpty) }
        var currencies: [String] = []
        var buckets: [String: [DashboardModel.ForecastBucket]] = [:]
        for bucket in model.forecast {
            if buckets[bucket.currency] == nil { currencies.append(bucket.currency) }
            buckets[bucket.currency, default: []].append(bucket)
        }
        let columns = [
            Column(text.period), Column(text.weighted, numeric: true), Column(text.won, numeric: true),
            Column(text.commit, numeric: true), Column(text.bestCase, numeric: true),
        ]
        let figures = currencies.map { currency in
            let ofCurrency = buckets[currency, default: []]
            let rows = ofCurrency.map { bucket in
                [
                    Cell(user(bucket.period)), Cell(amount(bucket.weighted, currency)), Cell(amount(bucket.won, currency)),
                    Cell(amount(bucket.commit, currency)), Cell(amount(bucket.bestCase, currency)),
                ]
            }
            return """
                <figure class="chart">
                <figcaption>\(user(currency))</figcaption>
                \(forecastChart(currency: currency, buckets: ofCurrency))
                \(table(columns, rows))
                </figure>
                """
        }
        return "<div class=\"charts\">\n" + figures.joined(separator: "\n") + "\n</div>"
    }

    private func repsSection() -> String {
        guard !model.reps.isEmpty else { return empty(text.repsEmpty) }
        let columns = [
            Column(text.rep), Column(text.openOpportunities, numeric: true), Column(text.weightedPipeline, numeric: true),
            Column(text.won, numeric: true), Column(text.winRate, numeric: true),
        ]
        let rows = model.reps.map { rep in
            [
                Cell(rep.owner.map(user) ?? text.unassigned),
                Cell(DashboardFormat.count(rep.openOpportunities)),
                Cell(amounts(rep.weighted)),
                Cell(amounts(rep.won)),
                Cell(rep.winRate.map(DashboardFormat.percent) ?? "—"),
            ]
        }
        return table(columns, rows)
    }

    private func recentSection() -> String {
        guard !model.recentOpportunities.isEmpty else { return empty(text.recentEmpty) }
        let columns = [
            Column(text.created), Column(text.lead), Column(text.product), Column(text.owner),
            Column(text.score, numeric: true), Column(text.criteria), Column(text.reasons),
        ]
        let rows = model.recentOpportunities.map { opportunity in
            [
                Cell(time(opportunity.createdAt)),
                Cell((opportunity.name.map(user) ?? "—") + "<span class=\"id\">\(user(opportunity.leadID))</span>"),
                Cell(user(opportunity.product)),
                Cell(opportunity.owner.map(user) ?? text.unassigned),
                Cell(DashboardFormat.count(opportunity.qualification.score)),
                Cell(user(opportunity.qualification.criteria)),
                Cell(reasons(opportunity.qualification.reasons)),
            ]
        }
        return table(columns, rows)
    }

    private func deliveriesSection() -> String {
        guard !model.deliveries.isEmpty else { return empty(text.deliveriesEmpty) }
        let columns = [
            Column(text.channel), Column(text.delivered, numeric: true), Column(text.failed, numeric: true),
            Column(text.pending, numeric: true), Column(text.status),
        ]
        let rows = model.deliveries.map { delivery in
            [
                Cell(user(delivery.channel)),
                Cell(DashboardFormat.count(delivery.delivered)),
                Cell(DashboardFormat.count(delivery.failed), alert: delivery.failed > 0),
                Cell(DashboardFormat.count(delivery.pending)),
                delivery.disabledReason.map { Cell("\(text.disabled): \(user($0))", alert: true) }
                    ?? delivery.pausedUntil.map { Cell("\(text.pausedUntil) \(time($0))", alert: true) } ?? Cell(text.active),
            ]
        }
        return table(columns, rows)
    }

    private func sourcesSection() -> String {
        guard !model.sources.isEmpty else { return empty(text.sourcesEmpty) }
        let columns = [
            Column(text.source), Column(text.type), Column(text.leadsLast24Hours, numeric: true),
            Column(text.quarantined, numeric: true), Column(text.lastLead), Column(text.fetchPending, numeric: true),
            Column(text.polling),
        ]
        let rows = model.sources.map { source in
            let poller = switch source.poller {
            case nil: Cell("—")
            case .healthy(let lastPollAt?): Cell("\(text.healthy) · \(text.lastPoll) \(time(lastPollAt))")
            case .healthy(nil): Cell(text.healthy)
            case .failing(let error): Cell("\(text.pollFailing): \(user(error))", alert: true)
            }
            return [
                Cell(user(source.name)),
                Cell(user(source.type)),
                Cell(DashboardFormat.count(source.leadsLast24Hours)),
                Cell(DashboardFormat.count(source.quarantined), alert: source.quarantined > 0),
                Cell(source.lastLeadAt.map(time) ?? "—"),
                Cell(source.fetchPending.map(DashboardFormat.count) ?? "—"),
                poller,
            ]
        }
        return table(columns, rows)
    }

    // MARK: Pieces

    /// A string from the model: escaped, and isolated so that its own direction does not reorder its neighbours.
    func user(_ value: String) -> String {
        "<bdi>\(DashboardFormat.escape(value))</bdi>"
    }

    func amount(_ value: Double, _ currency: String) -> String {
        DashboardFormat.escape(DashboardFormat.amount(value, currency, model.language))
    }

    /// One line per currency.
    private func amounts(_ values: [DashboardModel.Money]) -> String {
        guard !values.isEmpty else { return "—" }
        return values.map { "<span class=\"amount\">\(amount($0.amount, $0.currency))</span>" }.joined()
    }

    /// A time in the page's zone; `dir="ltr"` keeps `YYYY-MM-DD HH:MM` in order inside a right-to-left line.
    private func time(_ date: Date) -> String {
        "<time dir=\"ltr\" datetime=\"\(date.formatted(.iso8601))\">\(DashboardFormat.timestamp(date, in: model.timeZone))</time>"
    }

    private func reasons(_ reasons: [QualificationReason]) -> String {
        guard !reasons.isEmpty else { return "—" }
        let items = reasons.map { reason in
            let mark = reason.passed
                ? "<span class=\"mark\" title=\"\(text.passed)\">✓</span>"
                : "<span class=\"mark\" title=\"\(text.notPassed)\">✗</span>"
            let points = reason.points > 0 ? "+\(reason.points)" : String(reason.points)
            let seen = [reason.value, reason.note].compactMap { $0 }.map(user).joined(separator: " · ")
            return "<li class=\"\(reason.passed ? "passed" : "failed")\">\(mark) \(user(reason.rule)) <span class=\"points\">\(points)</span>"
                + (seen.isEmpty ? "" : " <span class=\"seen\">\(seen)</span>") + "</li>"
        }
        return "<ul class=\"reasons\">" + items.joined() + "</ul>"
    }

    private func empty(_ message: String) -> String {
        "<p class=\"empty\">\(message)</p>"
    }

    /// A table heading; a numeric column aligns to the end of the line.
    private struct Column {
        var heading: String
        var numeric = false

        init(_ heading: String, numeric: Bool = false) {
            self.heading = heading
            self.numeric = numeric
        }
    }

    /// A table cell's HTML; an alert cell is drawn in the warning colour.
    private struct Cell {
        var content: String
        var alert = false

        init(_ content: String, alert: Bool = false) {
            self.content = content
            self.alert = alert
        }
    }

    /// A table in a box that scrolls sideways on a narrow screen.
    private func table(_ columns: [Column], _ rows: [[Cell]]) -> String {
        func classes(_ column: Column, _ cell: Cell?) -> String {
            let names = [column.numeric ? "num" : nil, cell?.alert == true ? "alert" : nil].compactMap { $0 }
            return names.isEmpty ? "" : " class=\"\(names.joined(separator: " "))\""
        }
        let head = columns.map { "<th\(classes($0, nil))>\($0.heading)</th>" }.joined()
        let body = rows.map { row in
            "<tr>" + zip(columns, row).map { "<td\(classes($0, $1))>\($1.content)</td>" }.joined() + "</tr>"
        }
        return """
            <div class="scroll"><table>
            <thead><tr>\(head)</tr></thead>
            <tbody>
            \(body.joined(separator: "\n"))
            </tbody>
            </table></div>
            """
    }
}
