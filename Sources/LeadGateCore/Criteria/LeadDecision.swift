import Foundation

/// An opportunity's sales state: where it stands, what it is worth, when it should close.
public struct Opportunity: Sendable, Hashable, Codable {
    public var stage: String
    public var amount: Double?
    public var currency: String?
    /// Win probability of the stage (1 for won, 0 for lost).
    public var probability: Double
    /// Expected close date, `YYYY-MM-DD` in the server's time zone.
    public var expectedClose: String?
    public var closedAt: Date?
    /// A person moved it (a stage, amount or owner set through the API, or promoted by hand): re-qualification leaves it alone.
    public var manual: Bool

    public init(stage: String, amount: Double?, currency: String?, probability: Double, expectedClose: String?, closedAt: Date? = nil, manual: Bool = false) {
        self.stage = stage
        self.amount = amount
        self.currency = currency
        self.probability = probability
        self.expectedClose = expectedClose
        self.closedAt = closedAt
        self.manual = manual
    }

    enum CodingKeys: String, CodingKey {
        case stage, amount, currency, probability, expectedClose = "expected_close", closedAt = "closed_at", manual
    }
}

/// What the qualify stage decided for one lead: status, product, criteria outcome and, for an
/// opportunity, its opening state and how its owner is found. A turn is drawn later, inside the commit
/// (round robin needs the product's counter, which only the writer may advance).
public struct LeadDecision: Sendable, Hashable {
    public var status: LeadStatus
    /// `no_contact`, or the name of the reject rule that held.
    public var rejectReason: String?
    public var product: String?
    public var qualification: Qualification?
    public var opportunity: Opportunity?
    /// Set for an opportunity of a product that assigns owners.
    public var assignment: Assignment?

    public init(
        status: LeadStatus, rejectReason: String? = nil, product: String? = nil, qualification: Qualification? = nil,
        opportunity: Opportunity? = nil, assignment: Assignment? = nil
    ) {
        self.status = status
        self.rejectReason = rejectReason
        self.product = product
        self.qualification = qualification
        self.opportunity = opportunity
        self.assignment = assignment
    }
}

/// The qualify stage as the store calls it. Pure.
public protocol LeadQualifier: Sendable {
    /// Routes `lead` to a product and decides it by that product's criteria; an opportunity's decision says how
    /// its owner is found.
    func qualify(_ lead: NormalizedLead, receivedAt: Date) -> LeadDecision
}

/// Qualification by a product catalog, in the server's time zone.
///
/// A class, as `Product` is: every intake record carries the qualifier, and each copy of a struct retained the
/// catalog's shared parts one by one.
public final class CatalogQualifier: LeadQualifier {
    public let catalog: ProductCatalog
    public let timeZone: TimeZone

    public init(catalog: ProductCatalog, timeZone: TimeZone) {
        self.catalog = catalog
        self.timeZone = timeZone
    }

    public func qualify(_ lead: NormalizedLead, receivedAt: Date) -> LeadDecision {
        // The lead is lent to every step, with one scratch: an input would copy its strings in (`CriteriaInput`).
        var scratch = EvaluationScratch(
            CriteriaContext(receivedAt: receivedAt, timeZone: timeZone, freeEmailDomains: catalog.freeEmailDomains)
        )
        guard let product = catalog.route(lead, &scratch) else {
            return LeadDecision(status: lead.contact.isReachable ? .lead : .rejected, rejectReason: lead.contact.isReachable ? nil : "no_contact")
        }
        let qualification = product.criteria.evaluate(lead, &scratch)
        // Built once from its parts: filled in afterwards, the decision's optionals were copied and destroyed again.
        let opens = qualification.decision == .opportunity
        return LeadDecision(
            status: qualification.decision,
            rejectReason: qualification.rejectedBy.map { $0 == Qualification.unreachable ? "no_contact" : $0 },
            product: product.name, qualification: qualification,
            opportunity: opens ? product.opening(for: lead, &scratch) : nil,
            assignment: opens ? product.assignment?.assignment(for: lead, &scratch) : nil
        )
    }
}

extension Product {
    /// A new opportunity of this product: the first stage, the deal's amount and currency, closing `cycle_days` after `date`.
    public func opening(for input: CriteriaInput, at date: Date, timeZone: TimeZone) -> Opportunity {
        var context = input.context
        context.receivedAt = date
        context.timeZone = timeZone
        var scratch = EvaluationScratch(context)
        return opening(for: input.lead, &scratch)
    }

    /// A new opportunity of this product for `lead`, received at the scratch's time, in its zone.
    func opening(for lead: NormalizedLead, _ scratch: inout EvaluationScratch) -> Opportunity {
        let stage = stages.initial
        let date = scratch.context.receivedAt
        return Opportunity(
            stage: stage, amount: deal.amount(for: lead, &scratch), currency: deal.currency,
            probability: stages.probability(of: stage) ?? 0,
            expectedClose: deal.cycleDays.map { CalendarDay.string(date.addingTimeInterval(Double($0) * 86_400), in: scratch.context.timeZone) }
        )
    }
}

/// `YYYY-MM-DD` days in a given time zone.
public enum CalendarDay {
    /// The calendar day of `date` in `timeZone` (proleptic Gregorian; computed, not looked up through
    /// `Calendar`, because every new opportunity needs one).
    public static func string(_ date: Date, in timeZone: TimeZone) -> String {
        let local = Int64((date.timeIntervalSince1970 + Double(UTCOffset.seconds(in: timeZone, at: date))).rounded(.down))
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let (year, month, day) = civil(fromDays: days)
        if (0...9999).contains(year) {
            // Digits written in place: every new opportunity has an expected close.
            return String(unsafeUninitializedCapacity: 10) { bytes in
                func digits(_ value: Int64, at offset: Int, width: Int) {
                    var rest = value
                    for position in (offset..<offset + width).reversed() {
                        bytes[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                        rest /= 10
                    }
                }
                digits(year, at: 0, width: 4)
                bytes[4] = UInt8(ascii: "-")
                digits(month, at: 5, width: 2)
                bytes[7] = UInt8(ascii: "-")
                digits(day, at: 8, width: 2)
                return 10
            }
        }
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    /// Year, month, day of the day `days` after 1970-01-01 (Howard Hinnant's civil_from_days).
    static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// True when `text` is a real `YYYY-MM-DD` day.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month), day >= 1 else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        guard let first = calendar.date(from: DateComponents(year: year, month: month, day: 1)),
              let days = calendar.range(of: .day, in: .month, for: first) else { return false }
        return days.contains(day)
    }
}
