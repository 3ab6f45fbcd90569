// Throughput of the criteria engine: a product with 20 rules over 1,024 varied leads, against a
// baseline that walks the same leads and reads the same fields without any rule.
// Usage: criteria-bench [evaluations]   (default 2,000,000)
import Foundation
import LeadGateCore

let target = 200_000.0
let evaluations = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 2_000_000

func test(_ field: String, _ op: ConditionOperator, _ value: ConditionValue) throws -> Condition {
    try Condition(field: field, op, value)
}

func names(_ items: String...) -> ConditionValue {
    .list(items.map(ConditionValue.bare))
}

let rules: [Rule] = try [
    Rule(name: "spam-domain", when: test("email_domain", .in, names("mailinator.com", "guerrillamail.com", "10minutemail.com")), reject: true),
    Rule(name: "test-name", when: test("full_name", .matches, .string("^(test|asdf|qwerty)")), reject: true),
    Rule(name: "reachable", when: .any([test("phone", .present, .bare("true")), test("email", .present, .bare("true"))]), require: true),
    Rule(name: "business-email", when: test("email_free", .equals, .bare("false")), points: 30),
    Rule(name: "has-phone", when: test("phone", .present, .bare("true")), points: 10),
    Rule(name: "mobile", when: test("phone_type", .equals, .bare("mobile")), points: 10),
    Rule(name: "israel", when: test("country", .in, names("IL")), points: 10),
    Rule(name: "local-phone", when: test("phone_country", .equals, .bare("IL")), points: 5),
    Rule(name: "budget-high", when: test("fields.budget", .gte, .bare("20000")), points: 30),
    Rule(name: "budget-mid", when: .all([test("fields.budget", .gte, .bare("5000")), test("fields.budget", .lt, .bare("20000"))]), points: 15),
    Rule(name: "senior", when: test("job_title", .contains, names("ceo", "coo", "cto", "cfo", "vp", "director", "מנכ״ל", "סמנכ״ל")), points: 20),
    Rule(name: "company", when: test("company", .present, .bare("true")), points: 10),
    Rule(name: "paid-search", when: .all([test("utm_source", .in, names("google", "bing")), test("utm_medium", .equals, .bare("cpc"))]), points: 10),
    Rule(name: "social", when: test("utm_source", .in, names("facebook", "instagram", "linkedin")), points: 5),
    Rule(name: "web-form", when: test("source_type", .equals, .bare("web_form")), points: 5),
    Rule(name: "work-hours", when: .all([test("hour", .gte, .bare("8")), test("hour", .lt, .bare("19"))]), points: 5),
    Rule(name: "workweek", when: test("weekday", .in, names("sunday", "monday", "tuesday", "wednesday", "thursday")), points: 5),
    Rule(name: "campaign", when: test("campaign", .contains, .bare("promo")), points: 5),
    Rule(name: "employees", when: test("fields.employees", .gte, .bare("50")), points: 15),
    Rule(name: "not-student", when: .not(test("job_title", .contains, names("student", "סטודנט"))), points: 5),
]
let criteria = try Criteria(product: "crm-suite", version: 3, threshold: 60, rules: rules)

/// 1,024 leads that differ in every field the rules read, in Hebrew and English, with amounts written many ways.
func makeLeads() -> [CriteriaInput] {
    let names = ["דנה כהן", "Avi Levi", "test user", "מוחמד חסן", "Noa Bar", "יעל אברהם", "John Smith", "Olga Ivanova"]
    let domains = ["acme.co.il", "gmail.com", "walla.co.il", "mailinator.com", "startup.io", "yahoo.co.uk", "bank.co.il"]
    let titles = [nil, "CEO", "סמנכ״ל שיווק", "Student", "Marketing Manager", "VP Sales", "מפתח", "Director of IT"]
    let budgets = [nil, "20,000", "₪15,000", "$20k", "lots", "1.5M", "5000 ₪", "around 20", "8 000", "50K"]
    let sources = [("website", "web_form"), ("facebook-il", "meta_lead_ads"), ("google-ads", "google_ads"), ("sales-inbox", "email")]
    let utm = [(nil, nil), ("google", "cpc"), ("facebook", "paid_social"), ("bing", "cpc"), ("newsletter", "email")]
    let lineTypes: [PhoneLineType?] = [.mobile, .landline, nil, .voip, .mobile]
    let jerusalem = TimeZone(identifier: "Asia/Jerusalem") ?? .gmt
    let start = Date(timeIntervalSince1970: 1_795_860_000)
    return (0..<1024).map { index in
        let name = names[index % names.count]
        var contact = Contact(fullName: name, company: index % 3 == 0 ? nil : "Company \(index % 17)", jobTitle: titles[index % titles.count])
        contact.email = index % 11 == 5 ? nil : "user\(index)@\(domains[(index / 3) % domains.count])"
        contact.phone = index % 4 == 1 ? nil : "+97254\(1_000_000 + index)"
        contact.country = ["IL", "US", nil, "IL", "DE"][index % 5]
        let (source, type) = sources[(index / 2) % sources.count]
        var attribution = Attribution(source: source, sourceType: type)
        let (utmSource, utmMedium) = utm[(index / 5) % utm.count]
        attribution.utmSource = utmSource
        attribution.utmMedium = utmMedium
        attribution.campaign = index % 2 == 0 ? "winter-promo" : "brand"
        var fields = ["message": "שלום, מעוניין בהצעת מחיר עבור \(index) משתמשים"]
        fields["budget"] = budgets[(index / 7) % budgets.count]
        fields["employees"] = index % 6 == 0 ? nil : String(index % 300)
        return CriteriaInput(
            contact: contact, attribution: attribution, fields: fields,
            phoneLineType: contact.phone == nil ? nil : lineTypes[index % lineTypes.count],
            phoneRegion: contact.phone == nil ? nil : "IL",
            receivedAt: start.addingTimeInterval(Double(index) * 3_917), timeZone: jerusalem, freeEmailDomains: .shipped
        )
    }
}

/// What the rules read, read by hand: the floor under any evaluation of these leads.
@inline(never)
func readFields(_ input: CriteriaInput) -> Int {
    func length(_ text: String?) -> Int { text?.utf8.count ?? 0 }
    let lead = input.lead, context = input.context
    let contact = lead.contact
    let attribution = lead.attribution
    var total = context.timeZone.secondsFromGMT(for: context.receivedAt) & 1
    total &+= length(contact.email) &+ length(contact.fullName) &+ length(contact.phone) &+ length(contact.country)
    total &+= length(contact.jobTitle) &+ length(contact.company) &+ length(lead.phoneRegion) &+ length(lead.phoneLineType?.rawValue)
    total &+= length(lead.fields["budget"]) &+ length(lead.fields["employees"]) &+ length(attribution.utmSource)
    total &+= length(attribution.utmMedium) &+ length(attribution.sourceType) &+ length(attribution.campaign)
    return total
}

var leads = makeLeads()

/// CPU time of this thread, so that other processes on the same core do not count against the engine.
func threadSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Runs `body` over the leads `count` times, lending each lead rather than copying it: an element
/// of a buffer read for a call is copied (every string retained, then released), while an `inout`
/// access is exclusive, so the lead can be passed on in place.
@MainActor
func measure(_ count: Int, _ body: (inout CriteriaInput) -> Int) -> (seconds: Double, checksum: Int) {
    leads.withUnsafeMutableBufferPointer { leads in
        var checksum = 0
        let start = threadSeconds()
        for index in 0..<count {
            checksum &+= body(&leads[index % leads.count])
        }
        return (threadSeconds() - start, checksum)
    }
}

// Decisions over the lead set, so the benchmark shows its leads are varied and not all alike.
var decisions: [LeadStatus: Int] = [:]
for lead in leads { decisions[criteria.evaluate(lead).decision, default: 0] += 1 }
print("leads: \(leads.count) (opportunity \(decisions[.opportunity] ?? 0), lead \(decisions[.lead] ?? 0), rejected \(decisions[.rejected] ?? 0)); rules: \(rules.count)")

_ = measure(evaluations / 10) { criteria.evaluate($0).score }  // warm-up
let engine = measure(evaluations) { criteria.evaluate($0).score }
let baseline = measure(evaluations) { readFields($0) }
let rate = Double(evaluations) / engine.seconds
let baseRate = Double(evaluations) / baseline.seconds

func formatted(_ value: Double) -> String {
    let formatter = NumberFormatter()
    formatter.numberStyle = .decimal
    formatter.maximumFractionDigits = 0
    return formatter.string(from: NSNumber(value: value)) ?? String(Int(value))
}

print("engine:   \(formatted(rate)) evaluations/s (\(String(format: "%.2f", 1e6 / rate)) µs each; checksum \(engine.checksum))")
print("baseline: \(formatted(baseRate)) field reads/s (\(String(format: "%.2f", 1e6 / baseRate)) µs each; checksum \(baseline.checksum))")
print("ratio:    an evaluation costs \(String(format: "%.1f", baseRate / rate))× reading its fields")
print("target:   \(formatted(target)) evaluations/s — \(rate >= target ? "met" : "MISSED")")
exit(rate >= target ? 0 : 1)
