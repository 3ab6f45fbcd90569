import Foundation
import Testing

import LeadGateSourceKit

/// Dates as mailers write them, with the instant each names (seconds since 1970, from Python's email.utils).
@Test(arguments: [
    ("Sat, 28 Nov 2026 09:15:02 +0200", 1_795_850_102.0),
    ("28 Nov 2026 09:15:02 +0200", 1_795_850_102.0),
    ("Sat, 28 Nov 2026 07:15:02 GMT", 1_795_850_102.0),
    ("Sat, 28 Nov 2026 07:15:02 UT", 1_795_850_102.0),
    ("Sat, 28 Nov 2026 07:15:02 Z", 1_795_850_102.0),
    ("Sat, 28 Nov 2026 07:15:02 -0000", 1_795_850_102.0),
    ("Sat, 28 Nov 2026 02:15:02 EST", 1_795_850_102.0),
    ("Sat, 28 Nov 2026 00:15:02 PDT", 1_795_850_102.0),
    ("Sat, 28 Nov 2026 09:15:02 +02:00", 1_795_850_102.0),  // Postmark's sample writes the colon
    ("Sat, 28 Nov 2026 09:15:02 +0200 (IST)", 1_795_850_102.0),
    ("Sat,28 Nov 2026 09:15:02 +0200", 1_795_850_102.0),
    ("Sat, 28 November 2026 09:15:02 +0200", 1_795_850_102.0),
    ("Sat, 28 Nov 26 09:15:02 +0200", 1_795_850_102.0),  // two-digit year
    ("Sat, 28 Nov 126 09:15:02 +0200", 1_795_850_102.0),  // three digits: 1900 + 126 (RFC 5322 §4.3)
    ("Sat, 28 Nov 2026 09:15 +0200", 1_795_850_100.0),  // no seconds
    ("Sat Nov 28 07:15:02 2026", 1_795_850_102.0),  // asctime, no zone: UTC
    ("Sat, 28 Nov 2026 07:15:02 XYZ", 1_795_850_102.0),  // unknown zone: UTC
    ("Fri, 1 Aug 2014 16:45:32 -04:00", 1_406_925_932.0),
    ("Thu, 29 Feb 2024 00:00:00 +0000", 1_709_164_800.0),
])
func mimeParsesDates(text: String, seconds: Double) {
    #expect(MIMEDate.parse(text)?.timeIntervalSince1970 == seconds)
}

@Test(arguments: [
    "", "not a date", "Sat, 31 Feb 2026 09:15:02 +0200", "Sat, 28 Nov 2026 25:00:00 +0200", "Sat, 28 Nov 2026 09:61:00 +0200",
    "Sat, 28 Nov 2026 09:15:02 +9900", "Sat, 28 2026 09:15:02 +0200", "Sat, 28 Nov 2026", "Sat, 28 Nov 2026 9:15:02:01 +0200",
    "Thu, 29 Feb 2023 00:00:00 +0000", "2026-11-28T09:15:02Z", "28 Nov 12345 09:15:02",
])
func mimeRefusesWhatIsNotADate(text: String) {
    #expect(MIMEDate.parse(text) == nil)
}
