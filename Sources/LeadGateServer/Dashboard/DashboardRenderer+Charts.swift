import Foundation

/// The SVG charts, drawn in logical coordinates (x grows from the start of the line) and mirrored for a
/// right-to-left page, where bars grow leftwards and time runs from right to left. Text anchors stay
/// logical because each chart carries the page's `direction`.
extension DashboardRenderer {
    /// Horizontal bars, one per stage, each as long as its count relative to the largest.
    func funnelChart() -> String {
        let width = 360.0, pad = 8.0, row = 44.0, barHeight = 16.0, valueRoom = 96.0
        let barRoom = width - 2 * pad - valueRoom
        let height = pad + Double(model.funnel.count) * row
        let largest = Double(model.funnel.map(\.count).max() ?? 0)
        let frame = ChartFrame(width: width, rightToLeft: model.language == .hebrew)

        var parts: [String] = []
        for (index, stage) in model.funnel.enumerated() {
            let top = pad + Double(index) * row
            let length = largest > 0 ? Double(max(0, stage.count)) / largest * barRoom : 0
            let name = switch stage.name {
            case .leads: text.leads
            case .opportunities: text.opportunities
            case .won: text.won
            case .stage(let name): name
            }
            var value = DashboardFormat.count(stage.count)
            var title = "\(name): \(value)"
            if let conversion = stage.conversion {
                let ratio = DashboardFormat.percent(conversion)
                value += " · \(ratio)"
                title += " (\(text.conversion) \(ratio))"
            }
            parts.append(frame.text(label(name), x: pad, y: top + 13, anchor: "start", class: "label"))
            parts.append(frame.bar("bar stage", x: pad, y: top + 19, width: length, height: barHeight, value: Double(stage.count), title: label(title)))
            parts.append(frame.text(value, x: pad + length + 6, y: top + 32, anchor: "start", class: "value"))
        }
        return svg(id: "funnel-chart", title: text.funnel, width: width, height: height, parts)
    }

    /// Grouped vertical bars, weighted beside won for each period of one currency, on an axis whose top
    /// is a round number at or above the largest value: bar heights are proportional to the values.
    func forecastChart(currency: String, buckets: [DashboardModel.ForecastBucket]) -> String {
        let axis = 56.0, end = 12.0, top = 36.0, plot = 160.0, bottom = 26.0
        let group = 64.0, barWidth = 20.0, gap = 4.0
        let inset = (group - 2 * barWidth - gap) / 2
        let width = max(360, axis + Double(buckets.count) * group + end)
        let frame = ChartFrame(width: width, rightToLeft: model.language == .hebrew)
        let shown = { (value: Double) in value.isFinite ? max(0, value) : 0 }
        let step = Self.axisStep(forLargest: buckets.map { max(shown($0.weighted), shown($0.won)) }.max() ?? 0)
        let scaleTop = step * 4

        var parts = [
            frame.swatch("swatch weighted", x: axis, y: 8),
            frame.text(label(text.weighted), x: axis + 18, y: 18.5, anchor: "start", class: "legend"),
            frame.swatch("swatch won", x: axis + 130, y: 8),
            frame.text(label(text.won), x: axis + 148, y: 18.5, anchor: "start", class: "legend"),
        ]
        for tick in 0...4 {
            let y = top + plot - plot * Double(tick) / 4
            parts.append(frame.line(tick == 0 ? "axis" : "grid", from: axis, to: width - end, y: y))
            parts.append(frame.text(DashboardFormat.compact(step * Double(tick)), x: axis - 6, y: y + 4, anchor: "end", class: "tick"))
        }
        for (index, bucket) in buckets.enumerated() {
            let start = axis + Double(index) * group + inset
            for (offset, kind, caption, value) in [(0.0, "weighted", text.weighted, bucket.weighted), (barWidth + gap, "won", text.won, bucket.won)] {
                let height = shown(value) / scaleTop * plot
                let title = "\(label(bucket.period)) · \(caption): \(amount(value, currency))"
                parts.append(frame.bar("bar \(kind)", x: start + offset, y: top + plot - height, width: barWidth, height: height, value: shown(value), title: title))
            }
            parts.append(frame.text(label(bucket.period), x: axis + (Double(index) + 0.5) * group, y: top + plot + 18, anchor: "middle", class: "period"))
        }
        let id = "forecast-chart-" + String(currency.map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
        let chart = svg(id: id, title: "\(text.forecast) · \(label(currency))", width: width, height: top + plot + bottom, parts)
        // Never narrower than three quarters of its size: past that the box scrolls instead.
        return "<div class=\"scroll\" style=\"--chart-min:\(DashboardFormat.svg(width * 0.75))px\">\(chart)</div>"
    }

    /// The gap between the axis's five ticks: a 1, 2, 2.5 or 5 times a power of ten with `4 × step ≥ largest`.
    static func axisStep(forLargest largest: Double) -> Double {
        guard largest > 0, largest.isFinite else { return 1 }
        let raw = largest / 4
        let magnitude = pow(10, log10(raw).rounded(.down))
        return ([1, 2, 2.5, 5, 10].first { raw <= $0 * magnitude } ?? 10) * magnitude
    }

    /// A string shown inside SVG text: escaped and wrapped in first-strong isolate marks, SVG's `<bdi>`.
    private func label(_ value: String) -> String {
        "\u{2068}\(DashboardFormat.escape(value))\u{2069}"
    }

    private func svg(id: String, title: String, width: Double, height: Double, _ parts: [String]) -> String {
        let (w, h) = (DashboardFormat.svg(width), DashboardFormat.svg(height))
        return """
            <svg id="\(DashboardFormat.escape(id))" class="chart" viewBox="0 0 \(w) \(h)" width="\(w)" height="\(h)" \
            role="img" aria-labelledby="\(DashboardFormat.escape(id))-title" direction="\(model.language.direction)">
            <title id="\(DashboardFormat.escape(id))-title">\(title)</title>
            \(parts.joined(separator: "\n"))
            </svg>
            """
    }
}

/// A chart's width and direction: turns logical x coordinates into SVG ones.
private struct ChartFrame {
    let width: Double
    let rightToLeft: Bool

    /// A point `x` from the start of the line.
    func x(_ x: Double) -> String {
        DashboardFormat.svg(rightToLeft ? width - x : x)
    }

    /// A box starting `x` from the start of the line: its left edge.
    func left(_ x: Double, width boxWidth: Double) -> String {
        DashboardFormat.svg(rightToLeft ? width - x - boxWidth : x)
    }

    /// `content` is already escaped.
    func text(_ content: String, x: Double, y: Double, anchor: String, class name: String) -> String {
        "<text class=\"\(name)\" x=\"\(self.x(x))\" y=\"\(DashboardFormat.svg(y))\" text-anchor=\"\(anchor)\">\(content)</text>"
    }

    /// A bar with its value (`data-value`, for tests and tools) and a tooltip; `title` is already escaped.
    func bar(_ name: String, x: Double, y: Double, width: Double, height: Double, value: Double, title: String) -> String {
        "<rect class=\"\(name)\" x=\"\(left(x, width: width))\" y=\"\(DashboardFormat.svg(y))\" "
            + "width=\"\(DashboardFormat.svg(width))\" height=\"\(DashboardFormat.svg(height))\" "
            + "data-value=\"\(DashboardFormat.svg(value))\"><title>\(title)</title></rect>"
    }

    func swatch(_ name: String, x: Double, y: Double) -> String {
        "<rect class=\"\(name)\" x=\"\(left(x, width: 12))\" y=\"\(DashboardFormat.svg(y))\" width=\"12\" height=\"12\"></rect>"
    }

    /// A horizontal line between two logical x positions.
    func line(_ name: String, from start: Double, to end: Double, y: Double) -> String {
        let y = DashboardFormat.svg(y)
        return "<line class=\"\(name)\" x1=\"\(x(start))\" x2=\"\(x(end))\" y1=\"\(y)\" y2=\"\(y)\"></line>"
    }
}
