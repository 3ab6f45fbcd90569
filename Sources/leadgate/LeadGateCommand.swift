import ArgumentParser
import Foundation
import LeadGateCore
import LeadGateServer
import LeadGateSourceKit
import LeadGateStore
import Logging
import Synchronization

@main
struct LeadGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leadgate",
        abstract: "LeadGate: a self-hosted lead intake gateway.",
        subcommands: [Serve.self, CheckConfig.self, Ingest.self, Import.self, Leads.self, Forecast.self, Funnel.self, Qualify.self, Backtest.self, Deliveries.self]
    )
}

/// `--config`, shared by every command: the flag, else LEADGATE_CONFIG, else config/leadgate.yaml.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The config file (default: $LEADGATE_CONFIG or config/leadgate.yaml).")
    var config: String?

    var path: String {
        config ?? ProcessInfo.processInfo.environment["LEADGATE_CONFIG"] ?? "config/leadgate.yaml"
    }

    /// The loaded config, or every error printed to stderr and exit code 78 (EX_CONFIG).
    func load() throws -> GatewayConfig {
        do {
            return try ConfigLoader.load(path: path)
        } catch {
            for problem in error.errors { Stderr.print(problem.description) }
            Stderr.print("\(error.errors.count) error\(error.errors.count == 1 ? "" : "s") in \(path)")
            throw ExitCode(78)
        }
    }
}

extension ConfigOption {
    /// The configured source called `name`, or a message and exit code 64 (EX_USAGE).
    func source(_ name: String, in config: GatewayConfig) throws -> ConfiguredSource {
        guard let configured = config.source(named: name) else {
            Stderr.print("no source named '\(name)' in \(path)")
            throw ExitCode(64)
        }
        return configured
    }
}

enum Stderr {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        var logger = Logger(label: "leadgate")
        logger.logLevel = ProcessInfo.processInfo.environment["LEADGATE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let gateway: Gateway
        do {
            gateway = try await Gateway(config: config)
        } catch let error as StoreError {
            Stderr.print("\(options.path): \(error.message)")
            throw ExitCode(78)
        }
        logger.info("LeadGate serving \(config.sources.count) source(s) on http://\(config.server.host):\(config.server.port)")
        try await gateway.run(logger: logger)
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate the config; print every error as file:line:column: message.")
    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        print("\(options.path): ok (\(config.sources.count) source\(config.sources.count == 1 ? "" : "s"))")
    }
}

/// `leadgate ingest`: one message through the pipeline, for an MTA's pipe. Exit codes per sysexits:
/// 0 stored, 65 (EX_DATAERR) the message cannot be read (it is quarantined), 75 (EX_TEMPFAIL) the store
/// failed, so the MTA keeps the mail and tries again; 64/78 for wrong use or a bad config.
struct Ingest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Push one payload (stdin by default) through the pipeline: an MTA pipes mail here.")
    @OptionGroup var options: ConfigOption
    @Option(help: "The configured source it belongs to.") var source: String
    @Option(help: "The payload's media type (for sources other than email).") var contentType = "message/rfc822"
    @Argument(help: "A file instead of stdin.") var file: String?

    func run() async throws {
        let config = try options.load()
        let configured = try options.source(source, in: config)
        let bytes: [UInt8]
        if let file {
            guard let data = FileManager.default.contents(atPath: file) else {
                Stderr.print("cannot read \(file)")
                throw ExitCode(66)
            }
            bytes = Array(data)
        } else {
            bytes = Array(FileHandle.standardInput.readDataToEndOfFile())
        }
        let result: Gateway.LocalIngestResult
        do {
            result = try await Gateway(config: config).ingestLocally(bytes, source: configured, contentType: contentType)
        } catch {
            Stderr.print("not stored, try again later: \(error)")
            throw ExitCode(75)
        }
        switch result {
        case .malformed(let message):
            Stderr.print("quarantined: \(message)")
            throw ExitCode(65)
        case .stored(let outcomes):
            for outcome in outcomes {
                print("\(outcome.leadID) \(outcome.status.rawValue)\(outcome.kind == .created ? "" : " duplicate")")
            }
        }
    }
}

/// `leadgate import`: an ad platform's CSV export through the pipeline, with a progress bar on a terminal and a
/// summary at the end. Exit 0 when every row was read, 65 (EX_DATAERR) when some rows could not be (each reported
/// as FILE:LINE: message; the others are imported), 66 when the file cannot be opened, 75 when the store failed.
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Import a lead export (Meta, Google Ads, LinkedIn CSV) into the store.")
    @OptionGroup var options: ConfigOption
    @Option(help: "The configured source the leads belong to (its type picks the export's format).") var source: String
    @Option(help: "meta, google, linkedin or generic (default: from the source's type, else from the header).") var platform: String?
    @Option(help: "Time zone of times written without an offset (default: server.time_zone).") var timeZone: String?
    @Flag(help: "Read 3/1/2026 as 3 January (default: month first).") var dayFirst = false
    @Argument(help: "The CSV file (UTF-8 with or without BOM, or UTF-16 as Excel saves it).") var file: String

    func run() async throws {
        let config = try options.load()
        let configured = try options.source(source, in: config)
        var exportPlatform = ExportPlatform(sourceType: configured.type)
        if let platform {
            guard let chosen = ExportPlatform(rawValue: platform) else {
                Stderr.print("--platform must be one of \(ExportPlatform.allCases.map(\.rawValue).joined(separator: ", ")), found '\(platform)'")
                throw ExitCode(64)
            }
            exportPlatform = chosen
        }
        var zone = config.server.timeZone
        if let timeZone {
            guard let named = TimeZone(identifier: timeZone) else {
                Stderr.print("--time-zone '\(timeZone)' is not a time zone name such as Asia/Jerusalem")
                throw ExitCode(64)
            }
            zone = named
        }
        let gateway = try await Gateway(config: config)
        let options = LeadExportOptions(importedAt: gateway.pipeline.now(), platform: exportPlatform, timeZone: zone, dayFirst: dayFirst)
        let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
        let bar = ProgressBar(total: size, enabled: isatty(STDERR_FILENO) == 1)
        let started = ContinuousClock.now
        let summary: ImportSummary
        do {
            summary = try await CSVImporter(pipeline: gateway.pipeline, source: configured).run(path: file, options: options) { bar.update($0) }
        } catch let error as CSVReadError {
            bar.finish()
            Stderr.print("\(file): \(error.message)")
            throw ExitCode(66)
        } catch {
            bar.finish()
            Stderr.print("import stopped, the store failed: \(error) (rows committed so far stay; run it again: they are duplicates)")
            throw ExitCode(75)
        }
        bar.finish()
        for problem in summary.problems { Stderr.print("\(file):\(problem.line): \(problem.message)") }
        if summary.problemCount > summary.problems.count {
            Stderr.print("... and \(summary.problemCount - summary.problems.count) more rows that could not be read")
        }
        let seconds = max(0.001, (ContinuousClock.now - started).timeInterval)
        let rejected = summary.rejected.values.reduce(0, +)
        print("\(summary.rows) rows in \(String(format: "%.1f", seconds)) s (\(Int(Double(summary.rows) / seconds)) rows/s)")
        print("  stored:     \(summary.created - rejected) new leads, \(summary.merged) added to known people")
        print("  duplicates: \(summary.duplicates)")
        print("  rejected:   \(rejected)\(summary.rejected.isEmpty ? "" : " (" + summary.rejected.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")")")
        print("  unreadable: \(summary.problemCount)")
        if summary.problemCount > 0 { throw ExitCode(65) }
    }
}

/// A one-line progress bar on standard error, redrawn at most ten times a second; silent when not a terminal.
final class ProgressBar: Sendable {
    private let total: Int
    private let enabled: Bool
    private let last = Mutex<ContinuousClock.Instant?>(nil)

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(_ done: Int) {
        guard enabled else { return }
        let now = ContinuousClock.now
        let due = last.withLock { last in
            if let previous = last, now - previous < .milliseconds(100) { return false }
            last = now
            return true
        }
        guard due else { return }
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 0
        let width = 30
        let filled = Int(fraction * Double(width))
        let bar = String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(Int(fraction * 100))% \(done / 1_048_576) MiB".utf8))
    }

    func finish() {
        if enabled { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}

extension ReportPeriod: ExpressibleByArgument {}
extension ForecastGrouping: ExpressibleByArgument {}
extension FunnelGrouping: ExpressibleByArgument {}

/// Runs a report against the store of the config, printing an API error's message as the CLI's own.
func report<T>(_ options: ConfigOption, _ body: (ReportService) async throws -> T) async throws -> T {
    let config = try options.load()
    let reports = ReportService(store: try Gateway.openStore(config.store), config: config, now: { Date() })
    do {
        return try await body(reports)
    } catch let error as APIError {
        Stderr.print(error.message)
        throw ExitCode(64)
    }
}

/// `leadgate forecast`: the forecast table in the terminal, or CSV.
struct Forecast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The revenue forecast by quarter, half or year, per org, owner, product, source or campaign.")
    @OptionGroup var options: ConfigOption
    @Option(help: "quarter, half or year.") var period: ReportPeriod = .quarter
    @Option(help: "org, owner, product, source or campaign.") var by: ForecastGrouping = .org
    @Option(help: "First day (YYYY-MM-DD; default: the start of this fiscal year).") var from: String?
    @Option(help: "Last day (YYYY-MM-DD; default: the end of this fiscal year).") var to: String?
    @Option(help: "The forecast as it stood at the end of this day (YYYY-MM-DD).") var asOf: String?
    @Flag(help: "Print CSV.") var csv = false

    func run() async throws {
        let answer = try await report(options) { try await $0.forecast(.init(period: period, grouping: by, from: from, to: to, asOf: asOf)) }
        if csv {
            print(ReportCSV.forecast(answer.report.rows), terminator: "")
            return
        }
        let rows = answer.report.rows.map { row in
            [row.period, row.group ?? (by == .org ? "all" : "-"), row.currency, String(row.openCount), Self.amount(row.openPipeline),
             Self.amount(row.weightedPipeline), Self.amount(row.commit), Self.amount(row.bestCase), Self.amount(row.wonAmount),
             String(row.wonCount), String(row.lostCount)]
        }
        print(TextTable.render(
            header: ["PERIOD", by.rawValue.uppercased(), "CUR", "OPEN", "PIPELINE", "WEIGHTED", "COMMIT", "BEST CASE", "WON", "#WON", "#LOST"],
            rows: rows))
        print("\(answer.from) to \(answer.to)\(answer.asOf.map { ", as of \($0)" } ?? ""), probabilities \(answer.probability)")
    }

    static func amount(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// `leadgate funnel`: the conversion table.
struct Funnel: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Leads, opportunities, won and lost, and the ratios between them.")
    @OptionGroup var options: ConfigOption
    @Option(help: "source, campaign, product, criteria or owner.") var by: FunnelGrouping = .source
    @Option(help: "Leads created from this day (YYYY-MM-DD).") var from: String?
    @Option(help: "Leads created up to this day (YYYY-MM-DD).") var to: String?
    @Flag(help: "Count test leads too.") var includeTest = false
    @Flag(help: "Count rejected leads too.") var includeRejected = false
    @Flag(help: "Print CSV.") var csv = false

    func run() async throws {
        let rows = try await report(options) {
            try await $0.funnel(by: by, includeTest: includeTest, includeRejected: includeRejected, from: from, to: to)
        }
        if csv {
            print(ReportCSV.funnel(rows), terminator: "")
            return
        }
        func percent(_ ratio: Double?) -> String { ratio.map { String(format: "%.1f%%", $0 * 100) } ?? "-" }
        print(TextTable.render(
            header: [by.rawValue.uppercased(), "LEADS", "OPPS", "WON", "LOST", "LEAD→OPP", "OPP→WON", "MEDIAN DAYS", "REVENUE WON"],
            rows: rows.map { row in
                [row.group ?? "-", String(row.leads), String(row.opportunities), String(row.won), String(row.lost),
                 percent(row.leadToOpportunity), percent(row.opportunityToWon),
                 row.medianDaysToClose.map { String(format: "%.1f", $0) } ?? "-",
                 row.wonRevenue.sorted { $0.key < $1.key }.map { "\(String(format: "%.2f", $0.value)) \($0.key)" }.joined(separator: ", ")]
            }))
    }
}

struct Leads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the store.", subcommands: [List.self, Show.self], defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List leads, newest first.")
        @OptionGroup var options: ConfigOption
        @Option(help: "opportunity, lead or rejected.") var status: LeadStatus?
        @Option(help: "Only leads of this source.") var source: String?
        @Option(help: "Free text in name, email, phone or company.") var query: String?
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try Gateway.openStore(try options.load().store)
            let page = try await store.leads(LeadQuery(status: status, source: source, text: query, limit: limit))
            if json {
                print(String(decoding: try LeadJSON.encoder(pretty: true).encode(page.leads), as: UTF8.self))
                return
            }
            let rows = page.leads.map { lead in
                [lead.id, lead.status.rawValue, lead.contact.fullName ?? "", lead.contact.email ?? "", lead.contact.phone ?? "",
                 lead.attribution.source, lead.createdAt.formatted(.iso8601)]
            }
            print(TextTable.render(header: ["ID", "STATUS", "NAME", "EMAIL", "PHONE", "SOURCE", "CREATED"], rows: rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one lead.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The lead id (ld_...).") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try Gateway.openStore(try options.load().store)
            guard let lead = try await store.lead(id: id) else {
                Stderr.print("no lead with id '\(id)'")
                throw ExitCode(1)
            }
            if json {
                print(String(decoding: try LeadJSON.encoder(pretty: true).encode(lead), as: UTF8.self))
                return
            }
            var rows: [[String]] = [
                ["id", lead.id], ["status", lead.status.rawValue + (lead.rejectReason.map { " (\($0))" } ?? "")],
                ["name", lead.contact.fullName ?? ""], ["email", lead.contact.email ?? ""], ["phone", lead.contact.phone ?? ""],
                ["company", lead.contact.company ?? ""], ["source", lead.attribution.source],
                ["campaign", lead.attribution.campaign ?? ""], ["created", lead.createdAt.formatted(.iso8601)],
            ]
            rows += lead.fields.sorted { $0.key < $1.key }.map { ["fields.\($0.key)", $0.value] }
            rows += lead.touches.map { ["touch", "\($0.receivedAt.formatted(.iso8601)) \($0.source) \($0.externalID ?? "")"] }
            print(TextTable.render(header: ["FIELD", "VALUE"], rows: rows))
        }
    }
}

extension LeadStatus: ExpressibleByArgument {}
extension DeliveryStatus: ExpressibleByArgument {}

struct Deliveries: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Outbound notifications: list them, replay one.", subcommands: [List.self, Retry.self], defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List deliveries, newest first.")
        @OptionGroup var options: ConfigOption
        @Option(help: "pending, failed, delivered or dead.") var status: DeliveryStatus?
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try Gateway.openStore(try options.load().store)
            let deliveries = try await store.deliveries(status: status, limit: limit)
            if json {
                print(String(decoding: try LeadJSON.encoder(pretty: true).encode(deliveries), as: UTF8.self))
                return
            }
            let rows = deliveries.map { delivery in
                [delivery.id, delivery.channel, delivery.event.rawValue, delivery.leadID, delivery.status.rawValue,
                 String(delivery.attempts), delivery.lastStatus.map(String.init) ?? "", delivery.lastError ?? ""]
            }
            print(TextTable.render(header: ["ID", "CHANNEL", "EVENT", "LEAD", "STATUS", "ATTEMPTS", "HTTP", "ERROR"], rows: rows))
            for (channel, reason) in try await store.disabledChannels().sorted(by: { $0.key < $1.key }) {
                print("channel \(channel) is off: \(reason) (retry one of its deliveries to turn it back on)")
            }
            for (channel, pause) in try await store.pausedChannels(at: Date()).sorted(by: { $0.key < $1.key }) {
                print("channel \(channel) is paused until \(pause.until.formatted(.iso8601)): \(pause.reason) (retry one of its deliveries to end the pause)")
            }
        }
    }

    struct Retry: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Make a failed or dead delivery due now.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The delivery id (msg_...).") var id: String

        func run() async throws {
            let store = try Gateway.openStore(try options.load().store)
            guard try await store.retryDelivery(id: id, now: Date()) else {
                Stderr.print("no failed or dead delivery with id '\(id)'")
                throw ExitCode(1)
            }
            print("\(id): due now")
        }
    }
}

struct Qualify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Decide a lead given as JSON by a product's criteria and print each rule's outcome.",
        discussion: "FILE holds one JSON object of fields as a form would send them (name, email, phone, fields of your own)."
    )
    @OptionGroup var options: ConfigOption
    @Option(help: "The product whose criteria decide (default: the product the lead is routed to).") var product: String?
    @Option(help: "Read the fields as this source names them (its field map and default region).") var source: String?
    @Flag(help: "Print JSON.") var json = false
    @Argument(help: "The lead as a JSON file ('-' for stdin).") var file: String

    func run() async throws {
        let config = try options.load()
        guard let catalog = config.catalog else {
            Stderr.print("\(options.path) has no products: nothing to qualify against")
            throw ExitCode(78)
        }
        let lead = try LeadFile.read(file, source: source.flatMap(config.source(named:)), config: config)
        let now = Date()
        let input = catalog.input(for: lead, receivedAt: now, timeZone: config.server.timeZone)
        let chosen: LeadGateCore.Product
        if let product {
            guard let named = catalog.product(named: product) else {
                Stderr.print("no product named '\(product)' (products: \(catalog.products.map(\.name).joined(separator: ", ")))")
                throw ExitCode(64)
            }
            chosen = named
        } else if let routed = catalog.route(input) {
            chosen = routed
        } else {
            Stderr.print("no product takes this lead and there is no default_product")
            throw ExitCode(1)
        }
        let qualification = chosen.criteria.evaluate(input)
        if json {
            print(String(decoding: try LeadJSON.encoder(pretty: true).encode(qualification), as: UTF8.self))
            return
        }
        let rows = qualification.reasons.map { reason in
            [reason.rule, reason.passed ? "yes" : "no", String(reason.points), reason.value ?? "-", reason.note ?? ""]
        }
        print(TextTable.render(header: ["RULE", "PASSED", "POINTS", "VALUE", "NOTE"], rows: rows))
        let rejected = qualification.rejectedBy.map { " (rejected by \($0))" } ?? ""
        print("\n\(qualification.criteria): score \(qualification.score) of \(chosen.criteria.threshold) → \(qualification.decision.rawValue)\(rejected)")
    }
}

struct Backtest: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a product's stored leads through other criteria and compare with the live ones on real outcomes."
    )
    @OptionGroup var options: ConfigOption
    @Option(help: "The product whose leads are replayed.") var product: String
    @Option(help: "A YAML file with the candidate criteria (version, threshold, rules).") var criteria: String
    @Option(help: "Only leads created on or after this day (YYYY-MM-DD).") var since: String?
    @Flag(help: "Print JSON.") var json = false

    func run() async throws {
        let config = try options.load()
        guard let live = config.catalog?.product(named: product), let catalog = config.catalog else {
            Stderr.print("no product named '\(product)' in \(options.path)")
            throw ExitCode(64)
        }
        let candidate: Criteria
        do {
            candidate = try ConfigLoader.loadCriteria(path: criteria, product: product)
        } catch {
            for problem in error.errors { Stderr.print(problem.description) }
            throw ExitCode(65)
        }
        var start: Date?
        if let since {
            guard CalendarDay.isValid(since), let day = try? Date(since + "T00:00:00Z", strategy: .iso8601) else {
                Stderr.print("--since must be a day like 2026-01-01, found '\(since)'")
                throw ExitCode(64)
            }
            start = day
        }
        let replayer = LeadGateCore.Backtest(product: live, freeEmailDomains: catalog.freeEmailDomains, timeZone: config.server.timeZone)
        let summaries = BacktestTally(live: live.criteria, candidate: candidate)
        try await Gateway.openStore(config.store).replay(product: product, since: start) { replay in
            summaries.add(replay, replayer: replayer)
        }
        let (liveSummary, candidateSummary) = summaries.result
        if json {
            print(String(decoding: try LeadJSON.encoder(pretty: true).encode(["live": liveSummary, "candidate": candidateSummary]), as: UTF8.self))
            return
        }
        func row(_ label: String, _ value: (BacktestSummary) -> String) -> [String] {
            [label, value(liveSummary), value(candidateSummary)]
        }
        let rows = [
            row("leads replayed") { String($0.leads) },
            row("opportunities") { String($0.opportunities) },
            row("  won") { String($0.won) },
            row("  lost") { String($0.lost) },
            row("opportunity → won") { $0.conversion.map { String(format: "%.1f%%", $0 * 100) } ?? "-" },
            row("pipeline") { summary in
                summary.pipeline.isEmpty ? "0" : summary.pipeline.sorted { $0.key < $1.key }
                    .map { String(format: "%.0f %@", $0.value, $0.key) }.joined(separator: ", ")
            },
        ]
        print(TextTable.render(header: ["", "LIVE \(live.criteria.id)", "CANDIDATE \(candidate.id)"], rows: rows))
    }
}

/// The two running summaries of a backtest, filled from the store's replay callback.
final class BacktestTally: Sendable {
    private let state: Mutex<(BacktestSummary, BacktestSummary)>
    private let live: Criteria
    private let candidate: Criteria

    init(live: Criteria, candidate: Criteria) {
        self.live = live
        self.candidate = candidate
        self.state = Mutex((BacktestSummary(criteria: live.id), BacktestSummary(criteria: candidate.id)))
    }

    func add(_ replay: ReplayLead, replayer: LeadGateCore.Backtest) {
        state.withLock { summaries in
            replayer.add(replay, to: &summaries.0, by: live)
            replayer.add(replay, to: &summaries.1, by: candidate)
        }
    }

    var result: (BacktestSummary, BacktestSummary) { state.withLock { $0 } }
}

/// A lead given as a JSON file to `qualify`, normalized as the named source (or a plain web form) would.
enum LeadFile {
    static func read(_ path: String, source: ConfiguredSource?, config: GatewayConfig) throws -> NormalizedLead {
        let data: Data
        if path == "-" {
            data = FileHandle.standardInput.readDataToEndOfFile()
        } else if let contents = FileManager.default.contents(atPath: path) {
            data = contents
        } else {
            Stderr.print("cannot read \(path)")
            throw ExitCode(66)
        }
        let request = InboundRequest(
            method: "POST", path: "/qualify", headers: [("Content-Type", "application/json")], body: Array(data), receivedAt: Date()
        )
        let fields: [RawField]
        do {
            guard let submission = try FormBody.decode(request).first else {
                Stderr.print("\(path) holds no lead")
                throw ExitCode(65)
            }
            fields = submission.fields
        } catch let error as SourceError {
            Stderr.print("\(path): \(error.message)")
            throw ExitCode(65)
        }
        let normalizer = source?.normalizer ?? LeadNormalizer(fieldMap: .common)
        let context = IntakeContext(
            source: source?.name ?? "cli", sourceType: source?.type ?? "cli",
            defaultRegion: source?.defaultRegion ?? config.server.defaultRegion, receivedAt: request.receivedAt
        )
        return normalizer.normalize(fields, context: context)
    }
}

/// Aligned columns for the terminal; widths count characters, so Hebrew lines up as well as a terminal allows.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows.map { $0.map { $0.replacingOccurrences(of: "\n", with: " ") } }
        let widths = header.indices.map { column in min(48, all.map { $0[column].count }.max() ?? 0) }
        return all.map { row in
            row.enumerated().map { column, cell in
                let text = cell.count > widths[column] ? String(cell.prefix(widths[column] - 1)) + "…" : cell
                return text + String(repeating: " ", count: widths[column] - text.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
