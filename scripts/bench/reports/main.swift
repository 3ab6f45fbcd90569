// The reports benchmark's fixture: a LeadGate SQLite store filled with many leads, fast, and the report
// reads timed on it.
//
//   leadgate-bench-seed PATH [--leads N] [--opportunities M] [--around YYYY-MM-DD] [--measure | --measure-only]
//
// The store is created through `SQLiteLeadStore(path:)`, so its schema is the real one; the rows are then
// written with plain SQL in large transactions (a fixture, not an intake: leads and their history, no
// touches or deliveries). Leads are created from January of the year before `--around` (default today) up to
// that day; their opportunities close over three calendar years. `--measure` then times the reads behind
// GET /api/forecast?period=quarter&by=owner (the quarters of `--around`'s year) and GET /api/funnel?by=source
// (median of 5 after a warm-up) and prints them with the other report reads; give `--measure-only` the
// same `--around` as the seeding.
import Foundation
import GRDB
import LeadGateCore
import LeadGateStore

struct Options {
    var path = ""
    var leads = 1_000_000
    var opportunities = 200_000
    var around = Date()
    var seed = true
    var measure = false

    init(_ arguments: [String]) throws {
        var rest = arguments[...]
        while let argument = rest.popFirst() {
            switch argument {
            case "--leads": leads = try Self.number(rest.popFirst(), argument)
            case "--opportunities": opportunities = try Self.number(rest.popFirst(), argument)
            case "--around":
                guard let text = rest.popFirst(), CalendarDay.isValid(text), let day = try? Date(text + "T12:00:00Z", strategy: .iso8601) else {
                    throw SeedError("--around takes a day, YYYY-MM-DD")
                }
                around = day
            case "--measure": measure = true
            case "--measure-only": (seed, measure) = (false, true)
            default:
                guard path.isEmpty, !argument.hasPrefix("-") else { throw SeedError("unknown argument \(argument)") }
                path = argument
            }
        }
        guard !path.isEmpty else {
            throw SeedError("usage: leadgate-bench-seed PATH [--leads N] [--opportunities M] [--around YYYY-MM-DD] [--measure | --measure-only]")
        }
        guard opportunities <= leads * 9 / 10 else { throw SeedError("at most 90% of the leads can be opportunities") }
    }

    static func number(_ text: String?, _ name: String) throws -> Int {
        guard let text, let value = Int(text), value >= 0 else { throw SeedError("\(name) takes a count") }
        return value
    }
}

struct SeedError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// SplitMix64: the same fixture for the same options.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool { Double.random(in: 0..<1, using: &self) < probability }

    mutating func pick<T>(_ items: [T]) -> T { items[Int.random(in: 0..<items.count, using: &self)] }
}

let utc = TimeZone(identifier: "UTC") ?? .gmt
let day = 86_400.0
let sources = [
    ("website", "web_form"), ("landing-pages", "web_form"), ("partners", "web_form"), ("facebook-il", "meta_lead_ads"),
    ("google-ads", "google_ads"), ("linkedin", "linkedin_lead_gen"), ("tiktok", "tiktok_leads"), ("email-inbox", "email"),
]
let campaigns = (1...30).map { "campaign-\($0 < 10 ? "0" : "")\($0)" }
let owners = (1...10).map { "owner-\($0 < 10 ? "0" : "")\($0)" }
struct FixtureProduct {
    var name: String
    var criteria: String
    var cycleDays: Int
    var amounts: ClosedRange<Int>
}

let products = [
    FixtureProduct(name: "crm", criteria: "crm@3", cycleDays: 60, amounts: 5_000...30_000),
    FixtureProduct(name: "erp", criteria: "erp@2", cycleDays: 120, amounts: 20_000...150_000),
]
/// The open stages, weighted 40/30/20/10 from the first.
let openStagePicks = [0, 0, 0, 0, 1, 1, 1, 2, 2, 3].map { StageTable.standard.stages[$0].name }
let firstNames = ["dana", "avi", "noa", "yossi", "maya", "eitan", "tamar", "omer", "shira", "lior", "sarah", "john"]
let lastNames = ["cohen", "levi", "mizrahi", "peretz", "biton", "friedman", "katz", "smith", "azoulay", "shapiro"]
let domains = ["gmail.com", "walla.co.il", "acme.co.il", "example.com", "outlook.com", "startup.io"]

/// Writes `options.leads` leads into the store at `options.path`, which must not exist yet.
func seed(_ options: Options) throws {
    guard !FileManager.default.fileExists(atPath: options.path) else { throw SeedError("\(options.path) exists: remove it first") }
    // The store makes the schema, and is closed again before the plain SQL writes.
    do { _ = try SQLiteLeadStore(path: options.path) }
    var configuration = Configuration()
    configuration.prepareDatabase { db in
        try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY")
    }
    let queue = try DatabaseQueue(path: options.path, configuration: configuration)
    var random = SeededGenerator(state: 2026)
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    let year = calendar.component(.year, from: options.around)
    guard let start = calendar.date(from: DateComponents(year: year - 1, month: 1, day: 1)) else { throw SeedError("no such year") }
    let end = options.around
    let span = end.timeIntervalSince(start)

    let rejectedEvery = 20, testEvery = 100
    var eligibleLeft = options.leads - (0..<options.leads).lazy.filter { $0 % rejectedEvery == 7 }.count
    var opportunitiesLeft = options.opportunities
    var historyRows = 0
    let began = ContinuousClock.now
    let batch = 100_000
    for batchStart in stride(from: 0, to: options.leads, by: batch) {
        try queue.inTransaction { db in
            let insertLead = try db.makeStatement(sql: """
                INSERT INTO leads (id, status, reject_reason, email_key, phone, source, source_type, campaign, is_test,
                                   search, body, product, owner, score, criteria, qualification,
                                   stage, amount, currency, probability, expected_close, closed_at, manual, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """)
            let insertHistory = try db.makeStatement(sql: """
                INSERT INTO lead_history (lead_id, at, recorded_at, actor, field, old_value, new_value) VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for index in batchStart..<min(options.leads, batchStart + batch) {
                // Spread evenly, in creation order, as intake writes them.
                let created = start.addingTimeInterval(span * (Double(index) + Double.random(in: 0..<1, using: &random)) / Double(options.leads))
                let id = LeadID.make(prefix: "ld_", at: created, using: &random)
                let rejected = index % rejectedEvery == 7
                var isOpportunity = false
                if !rejected {
                    isOpportunity = Int.random(in: 0..<eligibleLeft, using: &random) < opportunitiesLeft
                    eligibleLeft -= 1
                    if isOpportunity { opportunitiesLeft -= 1 }
                }
                let (source, sourceType) = random.pick(sources)
                let campaign = random.chance(0.7) ? random.pick(campaigns) : nil
                let first = random.pick(firstNames), last = random.pick(lastNames)
                let email = "\(first).\(last)\(index)@\(random.pick(domains))"
                let phone = "+9725\(Int.random(in: 0...8, using: &random))\(String(1_000_000 + index % 9_000_000).suffix(7))"
                let company = random.chance(0.5) ? "\(last) ltd" : nil
                let product = isOpportunity || !rejected && random.chance(0.85) ? random.pick(products) : nil
                let body = """
                    {"contact":{"full_name":"\(first) \(last)","first_name":"\(first)","last_name":"\(last)","email":"\(email)",\
                    "phone":"\(phone)"\(company.map { ",\"company\":\"\($0)\"" } ?? ""),"country":"IL"},\
                    "attribution":{"source":"\(source)","source_type":"\(sourceType)"\(campaign.map { ",\"campaign\":\"\($0)\",\"utm_campaign\":\"\($0)\"" } ?? ""),\
                    "utm_source":"\(source)","utm_medium":"cpc","click_ids":{}},\
                    "fields":{"message":"please call me back about \(product?.name ?? "your offer")"},"consent":{"marketing":true},"problems":[]}
                    """
                let status = rejected ? "rejected" : isOpportunity ? "opportunity" : "lead"
                var opportunity: Opportunity?
                var updated = created
                var change: HistoryChange?
                if isOpportunity, let product {
                    let deal = fixtureOpportunity(product, created: created, end: end, random: &random)
                    (opportunity, change) = (deal.opportunity, deal.change)
                    updated = deal.change.at
                }
                let score = product.map { _ in Int.random(in: isOpportunity ? 60...100 : 0...59, using: &random) }
                // JSON text, the form earlier versions stored (the store still reads it; the reports never do).
                let qualification = score.map { score in
                    #"{"d":"\#(status)","x":null,"r":[[1,\#(score / 2)],[\#(score > 50 ? 1 : 0),\#(score - score / 2)],[1,0,"IL"]]}"#
                }
                try insertLead.execute(arguments: [
                    id, status, rejected ? random.pick(["no_contact", "honeypot"]) : nil, rejected ? nil : email, rejected ? nil : phone,
                    source, sourceType, campaign, index % testEvery == 3, "\(first) \(last) \(email) \(phone)", body,
                    product?.name, isOpportunity ? random.pick(owners) : nil, score, product?.criteria, qualification,
                    opportunity?.stage, opportunity?.amount, opportunity?.currency, opportunity?.probability, opportunity?.expectedClose,
                    opportunity?.closedAt.map(millis), opportunity?.manual ?? false, millis(created), millis(updated),
                ])
                if let change {
                    try insertHistory.execute(arguments: [id, millis(change.at), millis(change.at), "crm", change.field, change.old, change.new])
                    historyRows += 1
                }
            }
            return .commit
        }
    }
    try queue.write { db in
        try db.execute(sql: """
            INSERT OR IGNORE INTO criteria_rules (criteria, names) VALUES
                ('crm@3', '["budget","company size","country"]'), ('erp@2', '["budget","company size","country"]')
            """)
    }
    _ = try queue.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
    let seconds = milliseconds(since: began) / 1000
    print("seeded \(options.leads) leads (\(options.opportunities) opportunities) and \(historyRows) history rows in \(String(format: "%.1f", seconds)) s: \(Int(Double(options.leads) / seconds)) leads/s")
}

/// One `lead_history` row.
typealias HistoryChange = (at: Date, field: String, old: String?, new: String?)

/// An opportunity of `product` created at `created`, as it stands at `end`, and the one change its history records.
func fixtureOpportunity(
    _ product: FixtureProduct, created: Date, end: Date, random: inout SeededGenerator
) -> (opportunity: Opportunity, change: HistoryChange) {
    let age = end.timeIntervalSince(created)
    let expected = created.addingTimeInterval(Double(product.cycleDays + Int.random(in: -20...60, using: &random)) * day)
    var deal = Opportunity(
        stage: StageTable.standard.initial, amount: Double(Int.random(in: product.amounts, using: &random) / 100 * 100),
        currency: random.chance(0.8) ? "ILS" : "USD", probability: 0, expectedClose: CalendarDay.string(expected, in: utc)
    )
    let change: HistoryChange
    let stage = random.pick(openStagePicks)
    // The older an opportunity, the likelier it has closed.
    if age > 3 * day, random.chance(min(0.9, age / (240 * day))) {
        deal.stage = random.chance(0.45) ? StageTable.won : StageTable.lost
        let closed = created.addingTimeInterval(Double.random(in: 2 * day...min(age, 200 * day), using: &random))
        deal.closedAt = closed
        change = (closed, "stage", random.pick(["proposal", "negotiation"]), deal.stage)
    } else if stage != deal.stage {
        change = (created.addingTimeInterval(Double.random(in: 0...min(age, 30 * day), using: &random)), "stage", deal.stage, stage)
        deal.stage = stage
    } else {
        let at = created.addingTimeInterval(Double.random(in: 0...min(age, 10 * day), using: &random))
        change = (at, "expected_close", CalendarDay.string(created, in: utc), deal.expectedClose)
    }
    deal.probability = StageTable.standard.probability(of: deal.stage) ?? 0
    deal.manual = deal.stage != StageTable.standard.initial
    return (deal, change)
}

func millis(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

func milliseconds(since began: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - began
    return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
}

/// Median milliseconds of five runs of `body` (after one to warm the page cache), and its last result.
func time<T>(_ body: () async throws -> T) async rethrows -> (ms: Double, result: T) {
    var result = try await body()
    var runs: [Double] = []
    for _ in 0..<5 {
        let began = ContinuousClock.now
        result = try await body()
        runs.append(milliseconds(since: began))
    }
    return (runs.sorted()[2], result)
}

func measure(_ options: Options) async throws {
    let store = try SQLiteLeadStore(path: options.path)
    // A seeded lead must read back through the store: the body and qualification written above are valid.
    let page = try await store.leads(LeadQuery(status: .opportunity, limit: 1))
    guard let sample = page.leads.first, try await store.lead(id: sample.id)?.contact.email == sample.contact.email else {
        throw SeedError("no seeded opportunity reads back through the store")
    }
    let zone = TimeZone(identifier: "Asia/Jerusalem") ?? utc
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = zone
    let year = calendar.component(.year, from: options.around)
    let forecast = Forecast(
        calendar: PeriodCalendar(period: .quarter, timeZone: zone), grouping: .owner,
        probabilities: StageProbabilities(configured: ["crm": .standard, "erp": .standard]), commitStages: ["negotiation"],
        cycleDays: Dictionary(uniqueKeysWithValues: products.map { ($0.name, $0.cycleDays) })
    )
    let from = "\(year)-01-01", to = "\(year)-12-31"
    let forecastRun = try await time {
        let leads = try await store.forecastLeads(fromDay: from, toDay: to)
        return (leads.count, forecast.report(leads, from: from, to: to)?.rows.count ?? 0)
    }
    print(String(format: "forecast by owner, quarters of %d: %.1f ms (%d opportunities read, %d rows)", year, forecastRun.ms, forecastRun.result.0, forecastRun.result.1))
    let readOnly = try await time { try await store.forecastLeads(fromDay: from, toDay: to).count }
    print(String(format: "  of which forecastLeads: %.1f ms", readOnly.ms))
    for grouping in FunnelGrouping.allCases {
        let funnel = Funnel(grouping: grouping)
        let run = try await time {
            funnel.rows(counts: try await store.funnelCounts(grouping: grouping, includeTest: false, includeRejected: false, since: nil, until: nil))
        }
        print(String(format: "funnel by %@: %.1f ms (%d groups, %d leads)", grouping.rawValue, run.ms, run.result.count, run.result.reduce(0) { $0 + $1.leads }))
    }
    let quarterAgo = options.around.addingTimeInterval(-91 * day)
    let recent = try await time {
        Funnel(grouping: .source).rows(counts: try await store.funnelCounts(grouping: .source, includeTest: false, includeRejected: false, since: quarterAgo, until: nil))
    }
    print(String(format: "funnel by source, leads of the last 91 days: %.1f ms (%d leads)", recent.ms, recent.result.reduce(0) { $0 + $1.leads }))
    let cutoff = try await time { try await store.forecastLeadsAsOf(cutoff: options.around.addingTimeInterval(-90 * day)).count }
    print(String(format: "forecastLeadsAsOf 90 days back: %.1f ms (%d leads)", cutoff.ms, cutoff.result))
    let observations = try await time { try await store.stageObservations().count }
    print(String(format: "stageObservations: %.1f ms (%d observations)", observations.ms, observations.result))
}

do {
    let options = try Options(Array(CommandLine.arguments.dropFirst()))
    if options.seed { try seed(options) }
    if options.measure { try await measure(options) }
} catch {
    FileHandle.standardError.write(Data("leadgate-bench-seed: \(error)\n".utf8))
    exit(1)
}
