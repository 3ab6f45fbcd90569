import Foundation
import LeadGateCore
import Testing
@testable import LeadGateNotify

@Suite struct StandardWebhooksTests {
    /// The example of the Standard Webhooks specification.
    @Test func signsAsTheSpecificationsExample() throws {
        let key = try #require(StandardWebhooks.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let signature = StandardWebhooks.signature(
            id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330, body: Array(#"{"test": 2432232314}"#.utf8), keys: [key]
        )
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func signsWithEveryKeyWhileRotating() throws {
        let old = try #require(StandardWebhooks.key(fromSecret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        let new = try #require(StandardWebhooks.key(fromSecret: "a-plain-secret-of-enough-length"))
        let signature = StandardWebhooks.signature(id: "msg_1", timestamp: 1, body: [], keys: [old, new])
        #expect(signature.split(separator: " ").count == 2)
        #expect(signature.split(separator: " ").allSatisfy { $0.hasPrefix("v1,") })
        #expect(StandardWebhooks.key(fromSecret: "whsec_!!!") == nil)
        #expect(StandardWebhooks.key(fromSecret: "short") == nil)
    }
}

@Suite struct TextTemplateTests {
    let context: [String: Any] = [
        "contact": ["full_name": "דנה \"הבוס\" כהן\r\nBcc: all@example.com", "email": "dana@acme.co.il"],
        "qualification": ["score": 80],
        "owner": "avi@acme.co.il",
    ]

    @Test func jsonValuesCannotBreakTheDocument() throws {
        let body = TextTemplate(#"{"name": "{{contact.full_name}}", "score": "{{ qualification.score }}", "none": "{{nothing.here}}"}"#)
            .render(context, escaping: .json)
        let parsed = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: String])
        #expect(parsed["name"] == "דנה \"הבוס\" כהן\r\nBcc: all@example.com")
        #expect(parsed["score"] == "80")
        #expect(parsed["none"] == "")
    }

    @Test func headerLinesCannotAddHeaders() {
        let subject = TextTemplate("New lead: {{contact.full_name}}").render(context, escaping: .headerLine)
        #expect(!subject.contains("\r") && !subject.contains("\n"))
        #expect(subject.hasPrefix("New lead: דנה"))
    }

    @Test func unclosedBracesStayText() {
        #expect(TextTemplate("to {{owner").render(context, escaping: .none) == "to {{owner")
        #expect(TextTemplate("{{owner}}").render(context, escaping: .none) == "avi@acme.co.il")
    }
}

@Suite struct RetryAfterTests {
    @Test func readsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(OutboxWorker.retryAfter("120", now: now) == 120)
        #expect(OutboxWorker.retryAfter("Tue, 14 Nov 2023 22:15:20 GMT", now: now) == 120, "1_700_000_000 is 22:13:20 GMT")
        #expect(OutboxWorker.retryAfter(" 0 ", now: now) == 0)
        // The obsolete forms RFC 9110 still has recipients accept: RFC 850 and asctime (a one-digit day space-padded).
        #expect(OutboxWorker.retryAfter("Tuesday, 14-Nov-23 22:15:20 GMT", now: now) == 120)
        #expect(OutboxWorker.retryAfter("Tue Nov 14 22:15:20 2023", now: now) == 120)
        #expect(OutboxWorker.retryAfter("Sun Nov  6 08:49:37 1994", now: Date(timeIntervalSince1970: 784_111_777 - 60)) == 60)
        // A date in the past means now; anything else is not a Retry-After.
        #expect(OutboxWorker.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", now: now) == 0)
        #expect(OutboxWorker.retryAfter("soon", now: now) == nil)
        #expect(OutboxWorker.retryAfter("-5", now: now) == nil)
        #expect(OutboxWorker.retryAfter("1.5", now: now) == nil, "delay-seconds is a whole number")
    }
}
