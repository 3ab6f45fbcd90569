import Foundation
import LeadGateCore
import Testing
@testable import LeadGateServer

@Suite struct DashboardRendererTests {
    @Test(arguments: DashboardLanguage.allCases)
    func isOneSelfContainedDocument(_ language: DashboardLanguage) {
        let html = DashboardRenderer.render(DashboardFixture.busy(language))
        #expect(html.hasPrefix("<!DOCTYPE html>\n<html lang=\"\(language.rawValue)\" dir=\"\(language.direction)\">"))
        #expect(html.hasSuffix("</html>\n"))
        #expect(html.contains(#"<meta name="viewport" content="width=device-width, initial-scale=1">"#))
        #expect(html.contains(#"<meta http-equiv="Content-Security-Policy" content="default-src 'none';"#))
        // Nothing to fetch: no scripts, images, style sheets, fonts or addresses of any kind.
        for forbidden in ["<script", "<img", "<iframe", "<object", "src=", "url(", "@import", "@font-face", "http:", "https:", "//"] {
            #expect(!html.contains(forbidden), "found \(forbidden)")
        }
        #expect(RenderedPage.occurrences(of: "href=", in: html) == 1)
        #expect(html.contains(#"<link rel="icon" href="data:,">"#))
    }

    @Test func everyUserStringIsEscaped() {
        let html = DashboardRenderer.render(DashboardFixture.busy(.english))
        #expect(!html.contains("<script"))
        #expect(!html.contains("<b>pro</b>"))
        #expect(!html.contains("<receiver>"))
        #expect(!html.contains("<invalid token>"))
        #expect(!html.contains("<Ltd>"))
        // An attribute-looking name stays text: no quote of it ends an attribute.
        #expect(!html.contains("onmouseover=\""))
        #expect(html.contains("x&quot; onmouseover=&quot;alert(1)"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;friends&#39;"))
        #expect(html.contains("<title>Acme &quot;R&amp;D&quot; &lt;Ltd&gt; · Sales dashboard</title>"))
        #expect(html.contains("<bdi>&lt;b&gt;pro&lt;/b&gt;</bdi>"))
        #expect(html.contains("Disabled: <bdi>410 Gone from &lt;receiver&gt;</bdi>"))
        // A receiver's Retry-After, in the page's time zone (Jerusalem, UTC+3 in July).
        #expect(html.contains(#"Paused until <time dir="ltr" datetime="2026-07-14T04:33:20Z">2026-07-14 07:33</time>"#))
        #expect(html.contains("Failing: <bdi>HTTP 401 &lt;invalid token&gt;</bdi>"))
        #expect(html.contains("<bdi>rule &quot;&lt;x&gt;&quot;</bdi>"))
    }

    @Test func hebrewPageIsRightToLeftAndInHebrew() throws {
        let html = DashboardRenderer.render(DashboardFixture.busy(.hebrew))
        #expect(html.contains(#"<html lang="he" dir="rtl">"#))
        #expect(html.contains("<h2 id=\"funnel-heading\">משפך מכירות</h2>"))
        #expect(html.contains("<h2 id=\"forecast-heading\">תחזית הכנסות</h2>"))
        #expect(html.contains("<th>איש מכירות</th>"))
        #expect(html.contains(#"מושהה עד <time dir="ltr" datetime="2026-07-14T04:33:20Z">2026-07-14 07:33</time>"#))
        #expect(html.contains("<h2 id=\"sources-heading\">מצב המקורות</h2>"))
        #expect(!html.contains("Sales dashboard"))
        let funnel = try #require(RenderedPage.svg("funnel-chart", in: html))
        #expect(funnel.contains(#"direction="rtl""#))
        #expect(funnel.contains("לידים"))
        // Amounts read number first in Hebrew, code first in English.
        #expect(html.contains("42,500 ILS"))
        #expect(DashboardRenderer.render(DashboardFixture.busy(.english)).contains("ILS 42,500"))
    }

    @Test func englishPageIsLeftToRight() throws {
        let html = DashboardRenderer.render(DashboardFixture.busy(.english))
        #expect(html.contains(#"<html lang="en" dir="ltr">"#))
        #expect(!html.contains("dir=\"rtl\""))
        #expect(html.contains("<h2 id=\"funnel-heading\">Funnel</h2>"))
        let funnel = try #require(RenderedPage.svg("funnel-chart", in: html))
        #expect(funnel.contains(#"direction="ltr""#))
    }

    /// One chart per currency, two bars per bucket, heights in proportion to the values on an axis topped at 40K.
    @Test(arguments: DashboardLanguage.allCases)
    func forecastBarsAreProportional(_ language: DashboardLanguage) throws {
        let html = DashboardRenderer.render(DashboardFixture.busy(language))
        let ils = try #require(RenderedPage.svg("forecast-chart-ILS", in: html))
        let usd = try #require(RenderedPage.svg("forecast-chart-USD", in: html))
        #expect(html.range(of: "forecast-chart-ILS")?.lowerBound ?? html.endIndex < html.range(of: "forecast-chart-USD")?.lowerBound ?? html.startIndex)

        let bars = RenderedPage.bars(in: ils)
        #expect(bars.count == DashboardFixture.ilsBuckets.count * 2)
        #expect(RenderedPage.bars(in: usd).count == DashboardFixture.usdBuckets.count * 2)
        #expect(bars.map(\.kind) == ["weighted", "won", "weighted", "won", "weighted", "won"])
        #expect(bars.map(\.value) == [30_000, 12_000, 12_500, 40_000, 0, 5_000])
        // Plot 160 high from y=36, axis top 40,000: height = value / 40,000 × 160.
        #expect(bars.map(\.height) == [120, 48, 50, 160, 0, 20])
        for bar in bars {
            #expect(bar.y + bar.height == 196)
            #expect(bar.width == 20)
        }
        #expect(ils.contains(">40K</text>"))
        #expect(ils.contains("<title>"))
        #expect(ils.contains(#"class="swatch weighted""#) && ils.contains(#"class="swatch won""#))
        #expect(ils.contains("2026-Q3") && ils.contains("2027-Q1"))

        // Time runs with the reading direction: left to right in English, right to left in Hebrew.
        let weightedX = bars.filter { $0.kind == "weighted" }.map(\.x)
        #expect(weightedX == (language == .english ? [66, 130, 194] : [274, 210, 146]))
    }

    @Test func funnelBarsAreProportionalAndShowConversion() throws {
        let html = DashboardRenderer.render(DashboardFixture.busy(.english))
        let funnel = try #require(RenderedPage.svg("funnel-chart", in: html))
        let bars = RenderedPage.bars(in: funnel)
        // The longest bar fills the 248 units left beside the values; the others in proportion to their counts.
        #expect(bars.map(\.width) == [248, 62, 9.3])
        #expect(bars.map(\.value) == [1_200, 300, 45])
        #expect(bars.allSatisfy { $0.kind == "stage" })
        #expect(funnel.contains(">1,200</text>"))
        #expect(funnel.contains(">300 · 25%</text>"))
        #expect(funnel.contains(">45 · 60%</text>"))
        #expect(funnel.contains("<title id=\"funnel-chart-title\">Funnel</title>"))
    }

    @Test func tablesShowTheModel() {
        let html = DashboardRenderer.render(DashboardFixture.busy(.english))
        // Rep: count, one amount line per currency, win rate.
        #expect(html.contains(#"<td class="num">12</td><td class="num"><span class="amount">ILS 42,500</span><span class="amount">USD 900</span></td>"#))
        #expect(html.contains(#"<td class="num">37.5%</td>"#))
        #expect(html.contains("<td>Unassigned</td>"))
        // Forecast table has commit and best case, rounded to whole units.
        #expect(html.contains(#"<td><bdi>2026-Q3</bdi></td><td class="num">USD 1,800</td><td class="num">USD 0</td><td class="num">USD 0</td><td class="num">USD 4,000</td>"#))
        // Qualification reasons with their points and what the rule saw.
        #expect(html.contains(#"<li class="passed"><span class="mark" title="passed">✓</span> <bdi>homeowner</bdi> <span class="points">+40</span> <span class="seen"><bdi>yes</bdi></span></li>"#))
        #expect(html.contains(#"<li class="failed"><span class="mark" title="did not pass">✗</span> <bdi>region</bdi> <span class="points">0</span>"#))
        #expect(html.contains("<td><bdi>solar-panels@3</bdi></td>"))
        // Times in the page's zone (Jerusalem is UTC+3 in July), ISO, machine-readable in UTC.
        #expect(html.contains(#"<time dir="ltr" datetime="2026-07-14T02:33:20Z">2026-07-14 05:33</time>"#))
        #expect(html.contains("Asia/Jerusalem"))
        // Health: failures, quarantine and a failing poller stand out.
        #expect(html.contains(#"<td class="num alert">3</td>"#))
        #expect(html.contains(#"<td class="num alert">2</td>"#))
        #expect(html.contains(#"<td class="num">1,234</td>"#))
        #expect(html.contains(#"<td>OK · last poll <time dir="ltr""#))
        #expect(html.contains("<td>Active</td>"))
    }

    @Test(arguments: DashboardLanguage.allCases)
    func emptyDataSaysSoInsteadOfDrawing(_ language: DashboardLanguage) {
        let html = DashboardRenderer.render(DashboardFixture.empty(language))
        let text = DashboardText.of(language)
        #expect(!html.contains("<svg"))
        #expect(!html.contains("<table"))
        for message in [text.funnelEmpty, text.forecastEmpty, text.repsEmpty, text.recentEmpty, text.deliveriesEmpty, text.sourcesEmpty] {
            #expect(html.contains("<p class=\"empty\">\(message)</p>"))
        }
    }

    @Test func zeroValuesDrawFlatBarsNotBrokenOnes() throws {
        var model = DashboardFixture.empty(.english)
        model.funnel = [.init(.leads, count: 0), .init(.opportunities, count: 0)]
        model.forecast = [.init(period: "2026-Q3", currency: "EUR", weighted: 0, won: 0, commit: 0, bestCase: 0)]
        let html = DashboardRenderer.render(model)
        #expect(html.contains("<p class=\"empty\">No leads yet.</p>"))
        let chart = try #require(RenderedPage.svg("forecast-chart-EUR", in: html))
        #expect(RenderedPage.bars(in: chart).map(\.height) == [0, 0])
        for broken in ["NaN", "nan", "inf", "—"] {
            #expect(!chart.contains(broken))
        }
    }

    @Test func chartIDKeepsToSafeCharacters() {
        var model = DashboardFixture.empty(.english)
        model.forecast = [.init(period: "\"<p>\"", currency: "I\"S", weighted: 1, won: 2, commit: 0, bestCase: 0)]
        let html = DashboardRenderer.render(model)
        #expect(html.contains(#"<svg id="forecast-chart-I_S""#))
        #expect(!html.contains("\"<p>\""))
        #expect(html.contains("<bdi>&quot;&lt;p&gt;&quot;</bdi>"))
    }

    struct FormatCase: Sendable {
        var formatted: String
        var expected: String
    }

    static let formatCases: [FormatCase] = [
        .init(formatted: DashboardFormat.count(0), expected: "0"),
        .init(formatted: DashboardFormat.count(999), expected: "999"),
        .init(formatted: DashboardFormat.count(1_000), expected: "1,000"),
        .init(formatted: DashboardFormat.count(1_234_567), expected: "1,234,567"),
        .init(formatted: DashboardFormat.count(-1_000), expected: "-1,000"),
        .init(formatted: DashboardFormat.amount(12_500, "ILS", .english), expected: "ILS 12,500"),
        .init(formatted: DashboardFormat.amount(12_500, "ILS", .hebrew), expected: "12,500 ILS"),
        .init(formatted: DashboardFormat.amount(1_234_567.6, "USD", .english), expected: "USD 1,234,568"),
        .init(formatted: DashboardFormat.amount(-2_500, "EUR", .english), expected: "EUR -2,500"),
        .init(formatted: DashboardFormat.amount(-0.2, "EUR", .english), expected: "EUR 0"),
        .init(formatted: DashboardFormat.amount(.nan, "EUR", .english), expected: "EUR —"),
        .init(formatted: DashboardFormat.percent(0.4), expected: "40%"),
        .init(formatted: DashboardFormat.percent(0.125), expected: "12.5%"),
        .init(formatted: DashboardFormat.percent(1), expected: "100%"),
        .init(formatted: DashboardFormat.percent(1 / 3), expected: "33.3%"),
        .init(formatted: DashboardFormat.percent(.infinity), expected: "—"),
        .init(formatted: DashboardFormat.compact(0), expected: "0"),
        .init(formatted: DashboardFormat.compact(950), expected: "950"),
        .init(formatted: DashboardFormat.compact(0.5), expected: "0.5"),
        .init(formatted: DashboardFormat.compact(12_500), expected: "12.5K"),
        .init(formatted: DashboardFormat.compact(40_000), expected: "40K"),
        .init(formatted: DashboardFormat.compact(1_500_000), expected: "1.5M"),
        .init(formatted: DashboardFormat.compact(2_000_000_000), expected: "2,000M"),
        .init(formatted: DashboardFormat.svg(1234.5678), expected: "1234.57"),
        .init(formatted: DashboardFormat.svg(9.3), expected: "9.3"),
        .init(formatted: DashboardFormat.timestamp(DashboardFixture.now, in: .gmt), expected: "2026-07-14 03:33"),
        .init(formatted: DashboardFormat.timestamp(DashboardFixture.now, in: DashboardFixture.jerusalem), expected: "2026-07-14 06:33"),
        .init(formatted: DashboardFormat.escape(#"<a href="x">&'"#), expected: "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"),
        .init(formatted: DashboardFormat.escape("שלום"), expected: "שלום"),
    ]

    @Test(arguments: formatCases)
    func formats(_ row: FormatCase) {
        #expect(row.formatted == row.expected)
    }

    /// The axis top (4 steps) is the first round number at or above the largest value.
    @Test(arguments: [
        (40_000.0, 10_000.0), (0, 1), (7, 2), (100, 25), (90_000, 25_000), (1, 0.25), (399, 100), (401, 200), (1e9, 2.5e8),
    ])
    func axisStep(largest: Double, expected: Double) {
        let step = DashboardRenderer.axisStep(forLargest: largest)
        #expect(abs(step - expected) < expected * 1e-9)
        #expect(step * 4 >= largest)
    }
}
