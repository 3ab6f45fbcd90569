extension DashboardRenderer {
    /// The page's only style sheet. Narrow screens first: one column, tables and wide charts scroll
    /// sideways in their card; from 900px the narrow cards sit two to a row. `start`/`end` keep it right for RTL.
    static let style = """
        *{box-sizing:border-box}
        body{margin:0;font:15px/1.45 system-ui,"DejaVu Sans",Arial,sans-serif;background:#f3f4f7;color:#1e2430}
        header{padding:14px 16px;background:#1e2a44;color:#fff}
        h1{margin:0;font-size:1.3rem}
        header p{margin:4px 0 0;opacity:.85;font-size:.9rem}
        main{display:grid;grid-template-columns:minmax(0,1fr);gap:16px;padding:16px;max-width:1280px;margin:0 auto}
        @media (min-width:900px){main{grid-template-columns:minmax(0,2fr) minmax(0,3fr)}.wide{grid-column:1/-1}}
        .card{background:#fff;border-radius:8px;padding:14px 16px;box-shadow:0 1px 3px rgba(0,0,0,.08);min-width:0}
        h2{margin:0 0 10px;font-size:1.1rem}
        .empty{color:#6b7280;margin:8px 0}
        .note{color:#6b7280;font-size:.85rem;margin:6px 0 0}
        .scroll{overflow-x:auto;max-width:100%}
        table{border-collapse:collapse;width:100%;font-size:.9rem}
        th,td{padding:6px 8px;text-align:start;vertical-align:top;border-bottom:1px solid #e5e7eb;white-space:nowrap}
        th{color:#4b5563;font-weight:600;background:#f9fafb;white-space:normal}
        .num{text-align:end;font-variant-numeric:tabular-nums}
        .alert{color:#b42318;font-weight:600}
        .amount,.id{display:block}
        .id{color:#6b7280;font-size:.8rem}
        .reasons{list-style:none;margin:0;padding:0}
        .reasons li{white-space:nowrap}
        .passed .mark{color:#1a7f4b}
        .failed .mark{color:#b42318}
        .failed{color:#6b7280}
        .points{font-variant-numeric:tabular-nums;color:#374151}
        .seen{color:#6b7280;font-size:.85em}
        .charts{display:flex;flex-wrap:wrap;gap:20px}
        figure.chart{flex:1 1 340px;min-width:0;margin:0}
        figcaption{font-weight:600;margin-bottom:4px}
        svg.chart{display:block;max-width:100%;height:auto;margin-bottom:8px}
        .scroll>svg.chart{min-width:var(--chart-min)}
        svg text{font-size:12px;fill:#374151}
        svg .value,svg .tick{font-variant-numeric:tabular-nums}
        .bar.stage{fill:#5b6cf0}
        .bar.weighted,.swatch.weighted{fill:#5b8def}
        .bar.won,.swatch.won{fill:#1f9d62}
        .grid{stroke:#e5e7eb}
        .axis{stroke:#9ca3af}
        """
}
