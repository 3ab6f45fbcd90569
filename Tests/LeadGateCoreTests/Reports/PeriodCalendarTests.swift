import Foundation
import Testing
@testable import LeadGateCore

struct DayBucketCase: Sendable, CustomTestStringConvertible {
    var name: String
    var period: ReportPeriod
    var fiscalStart = 1
    var day: String
    var label: String
    var start: String
    var end: String

    var testDescription: String { name }
}

struct InstantBucketCase: Sendable, CustomTestStringConvertible {
    var name: String
    var period: ReportPeriod = .quarter
    var fiscalStart = 1
    var instant: String
    var jerusalem: Bool
    var label: String

    var testDescription: String { name }
}

@Suite("Report periods")
struct PeriodCalendarTests {
    @Test("days to buckets", arguments: [
        DayBucketCase(name: "last day of Q1", period: .quarter, day: "2026-03-31", label: "2026-Q1", start: "2026-01-01", end: "2026-03-31"),
        DayBucketCase(name: "first day of Q2", period: .quarter, day: "2026-04-01", label: "2026-Q2", start: "2026-04-01", end: "2026-06-30"),
        DayBucketCase(name: "Q4 ends with the year", period: .quarter, day: "2026-12-31", label: "2026-Q4", start: "2026-10-01", end: "2026-12-31"),
        DayBucketCase(name: "last day of H1", period: .half, day: "2026-06-30", label: "2026-H1", start: "2026-01-01", end: "2026-06-30"),
        DayBucketCase(name: "first day of H2", period: .half, day: "2026-07-01", label: "2026-H2", start: "2026-07-01", end: "2026-12-31"),
        DayBucketCase(name: "calendar year", period: .year, day: "2026-08-15", label: "2026", start: "2026-01-01", end: "2026-12-31"),
        // Fiscal year from April: April 2026 ... March 2027 ends in 2027, so it is FY2027.
        DayBucketCase(name: "fiscal April: April is Q1 of the next FY", period: .quarter, fiscalStart: 4, day: "2026-04-01",
                      label: "FY2027-Q1", start: "2026-04-01", end: "2026-06-30"),
        DayBucketCase(name: "fiscal April: March is Q4 of the FY ending then", period: .quarter, fiscalStart: 4, day: "2026-03-31",
                      label: "FY2026-Q4", start: "2026-01-01", end: "2026-03-31"),
        DayBucketCase(name: "fiscal April: October is Q3", period: .quarter, fiscalStart: 4, day: "2026-10-01",
                      label: "FY2027-Q3", start: "2026-10-01", end: "2026-12-31"),
        DayBucketCase(name: "fiscal April: January is Q4 across the calendar year", period: .quarter, fiscalStart: 4, day: "2027-01-15",
                      label: "FY2027-Q4", start: "2027-01-01", end: "2027-03-31"),
        DayBucketCase(name: "fiscal April: H2 spans the new year", period: .half, fiscalStart: 4, day: "2026-10-01",
                      label: "FY2027-H2", start: "2026-10-01", end: "2027-03-31"),
        DayBucketCase(name: "fiscal April: the year bucket", period: .year, fiscalStart: 4, day: "2026-04-01",
                      label: "FY2027", start: "2026-04-01", end: "2027-03-31"),
        DayBucketCase(name: "fiscal April: the year bucket, from its last day", period: .year, fiscalStart: 4, day: "2027-03-31",
                      label: "FY2027", start: "2026-04-01", end: "2027-03-31"),
        // 2028 is a leap year (divisible by 4, not by 100): February has 29 days.
        DayBucketCase(name: "leap day in Q1", period: .quarter, day: "2028-02-29", label: "2028-Q1", start: "2028-01-01", end: "2028-03-31"),
        DayBucketCase(name: "fiscal March: leap day ends the year", period: .year, fiscalStart: 3, day: "2028-02-29",
                      label: "FY2028", start: "2027-03-01", end: "2028-02-29"),
        DayBucketCase(name: "fiscal March: leap day ends Q4", period: .quarter, fiscalStart: 3, day: "2028-02-29",
                      label: "FY2028-Q4", start: "2027-12-01", end: "2028-02-29"),
        DayBucketCase(name: "fiscal March: a common year's Q4 ends on the 28th", period: .quarter, fiscalStart: 3, day: "2027-01-10",
                      label: "FY2027-Q4", start: "2026-12-01", end: "2027-02-28"),
        DayBucketCase(name: "fiscal December: a one-month-late year", period: .half, fiscalStart: 12, day: "2026-12-01",
                      label: "FY2027-H1", start: "2026-12-01", end: "2027-05-31"),
    ])
    func dayBuckets(_ row: DayBucketCase) throws {
        let calendar = PeriodCalendar(period: row.period, fiscalYearStartMonth: row.fiscalStart, timeZone: ReportFixture.utc)
        let bucket = try #require(calendar.bucket(containingDay: row.day))
        #expect(bucket == PeriodBucket(label: row.label, start: row.start, end: row.end))
    }

    @Test("instants fall in the bucket of their local day", arguments: [
        // Asia/Jerusalem is UTC+3 on 2026-03-31 (summer time began 2026-03-27), so local midnight is 21:00Z.
        InstantBucketCase(name: "Jerusalem Mar 31 23:59:59 local is Q1", instant: "2026-03-31T20:59:59Z", jerusalem: true, label: "2026-Q1"),
        InstantBucketCase(name: "Jerusalem Apr 1 00:00 local is Q2", instant: "2026-03-31T21:00:00Z", jerusalem: true, label: "2026-Q2"),
        InstantBucketCase(name: "UTC Mar 31 23:59 is Q1", instant: "2026-03-31T23:59:00Z", jerusalem: false, label: "2026-Q1"),
        InstantBucketCase(name: "UTC Apr 1 00:00 is Q2", instant: "2026-04-01T00:00:00Z", jerusalem: false, label: "2026-Q2"),
        // 22:30Z + 3 h = 01:30 on April 1 in Jerusalem; still March 31 in UTC.
        InstantBucketCase(name: "22:30Z is Q2 in Jerusalem", instant: "2026-03-31T22:30:00Z", jerusalem: true, label: "2026-Q2"),
        InstantBucketCase(name: "22:30Z is Q1 in UTC", instant: "2026-03-31T22:30:00Z", jerusalem: false, label: "2026-Q1"),
        // Winter, UTC+2: 22:30Z + 2 h = 00:30 on 2027-01-01.
        InstantBucketCase(name: "New Year's Eve 22:30Z is next year's Q1 in Jerusalem", instant: "2026-12-31T22:30:00Z", jerusalem: true, label: "2027-Q1"),
        InstantBucketCase(name: "New Year's Eve 22:30Z is Q4 in UTC", instant: "2026-12-31T22:30:00Z", jerusalem: false, label: "2026-Q4"),
        // Leap day 23:30Z + 2 h = 01:30 on 2028-03-01 in Jerusalem: with a fiscal year from March, a new year.
        InstantBucketCase(name: "leap day late evening, UTC", period: .year, fiscalStart: 3, instant: "2028-02-29T23:30:00Z", jerusalem: false, label: "FY2028"),
        InstantBucketCase(name: "leap day late evening, Jerusalem", period: .year, fiscalStart: 3, instant: "2028-02-29T23:30:00Z", jerusalem: true, label: "FY2029"),
    ])
    func instantBuckets(_ row: InstantBucketCase) throws {
        let zone = row.jerusalem ? try ReportFixture.jerusalem() : ReportFixture.utc
        let calendar = PeriodCalendar(period: row.period, fiscalYearStartMonth: row.fiscalStart, timeZone: zone)
        #expect(try calendar.bucket(containing: ReportFixture.date(row.instant))?.label == row.label)
    }

    @Test("the zone database agrees with the offsets the cases assume")
    func offsets() throws {
        let zone = try ReportFixture.jerusalem()
        #expect(zone.secondsFromGMT(for: try ReportFixture.date("2026-03-31T22:30:00Z")) == 3 * 3600)
        #expect(zone.secondsFromGMT(for: try ReportFixture.date("2026-12-31T22:30:00Z")) == 2 * 3600)
    }

    @Test("buckets covering a range")
    func ranges() {
        let quarters = PeriodCalendar(period: .quarter, timeZone: ReportFixture.utc)
        #expect(quarters.buckets(from: "2026-02-10", to: "2026-11-05")?.map(\.label) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"])
        #expect(quarters.buckets(from: "2026-04-01", to: "2026-04-01")?.map(\.label) == ["2026-Q2"])
        #expect(quarters.buckets(from: "2026-05-01", to: "2026-04-30")?.isEmpty == true)
        #expect(quarters.buckets(from: "2026-13-01", to: "2026-12-31") == nil)
        // Feb 2026 is in FY2026-Q4 (Jan-Mar 2026); Nov 2026 in FY2027-Q3 (Oct-Dec 2026).
        let fiscal = PeriodCalendar(period: .quarter, fiscalYearStartMonth: 4, timeZone: ReportFixture.utc)
        #expect(fiscal.buckets(from: "2026-02-10", to: "2026-11-05")?.map(\.label) == ["FY2026-Q4", "FY2027-Q1", "FY2027-Q2", "FY2027-Q3"])
        let halves = PeriodCalendar(period: .half, timeZone: ReportFixture.utc)
        #expect(halves.buckets(from: "2025-12-31", to: "2026-07-01")?.map(\.label) == ["2025-H2", "2026-H1", "2026-H2"])
        let years = PeriodCalendar(period: .year, fiscalYearStartMonth: 4, timeZone: ReportFixture.utc)
        #expect(years.buckets(from: "2026-03-31", to: "2026-04-01") == [
            PeriodBucket(label: "FY2026", start: "2025-04-01", end: "2026-03-31"),
            PeriodBucket(label: "FY2027", start: "2026-04-01", end: "2027-03-31"),
        ])
    }

    @Test("not a day", arguments: ["2027-02-29", "2026-04-31", "2026-4-01", "2026-04-01T00:00", "26-04-01", "", "2026/04/01", "２０２６-04-01"])
    func notADay(_ text: String) {
        #expect(PeriodCalendar(period: .quarter, timeZone: ReportFixture.utc).bucket(containingDay: text) == nil)
    }
}
