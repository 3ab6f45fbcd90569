import Testing
@testable import LeadGateCore

@Suite struct EmailNormalizerTests {
    static let valid: [(raw: String, normalized: String)] = [
        ("dana@acme.co.il", "dana@acme.co.il"),
        ("  Dana.Cohen@ACME.CO.IL  ", "Dana.Cohen@acme.co.il"),
        ("\u{00A0}dana@acme.co.il\u{00A0}", "dana@acme.co.il"),
        ("\u{200F}dana@acme.co.il\u{200E}", "dana@acme.co.il"),
        ("\u{202B}dana@acme.co.il\u{202C}", "dana@acme.co.il"),
        ("dana\u{200B}@acme.co.il", "dana@acme.co.il"),
        ("<dana@acme.co.il>", "dana@acme.co.il"),
        ("Dana Cohen <Dana@Acme.co.il>", "Dana@acme.co.il"),
        ("\"דנה כהן\" <dana@acme.co.il>", "dana@acme.co.il"),
        ("mailto:sales@acme.co.il", "sales@acme.co.il"),
        ("MAILTO:sales@Acme.com?subject=Quote", "sales@acme.com"),
        ("first.last+leads@gmail.com", "first.last+leads@gmail.com"),
        ("o'brien@example.ie", "o'brien@example.ie"),
        ("user_name-1@sub.domain.example.org", "user_name-1@sub.domain.example.org"),
        ("ivan@пример.рф", "ivan@пример.рф"),
        ("IVAN@ПРИМЕР.РФ", "IVAN@пример.рф"),
        ("info@בדיקה.ישראל", "info@בדיקה.ישראל"),
        ("contact@例え.jp", "contact@例え.jp"),
        ("info@xn--4dbrk0ce.xn--4dbrk0ce", "info@xn--4dbrk0ce.xn--4dbrk0ce"),
        ("owner@münchen.de", "owner@münchen.de"),
        // Decomposed ü (u + U+0308) comes out composed.
        ("owner@mu\u{0308}nchen.de", "owner@münchen.de"),
        ("josé@correo.es", "josé@correo.es"),
        ("用户@例子.中国", "用户@例子.中国"),
        ("taro@example\u{3002}jp", "taro@example.jp"),
        ("taro＠ｅｘａｍｐｌｅ．ｊｐ", "taro@example.jp"),
        // Likely typos are real, deliverable-looking addresses: never "corrected".
        ("dana@gmail.con", "dana@gmail.con"),
        ("dana@gmial.com", "dana@gmial.com"),
        ("dana@hotmail.co", "dana@hotmail.co"),
    ]

    @Test(arguments: valid)
    func normalizes(_ row: (raw: String, normalized: String)) throws {
        #expect(try EmailNormalizer.normalize(row.raw).get() == row.normalized)
    }

    static let invalid: [(raw: String, mentions: String)] = [
        ("", "empty"),
        ("  \u{200F} ", "empty"),
        ("dana.acme.co.il", "missing @"),
        ("dana@@acme.co.il", "more than one @"),
        ("dana@acme@co.il", "more than one @"),
        ("@acme.co.il", "nothing before the @"),
        ("dana@", "nothing after the @"),
        ("dana@gmail", "domain 'gmail' has no dot"),
        ("dana cohen@acme.co.il", "contains spaces"),
        ("dana@acme .co.il", "contains spaces"),
        (".dana@acme.co.il", "starts or ends with a dot"),
        ("dana.@acme.co.il", "starts or ends with a dot"),
        ("dana..cohen@acme.co.il", "two dots in a row"),
        (String(repeating: "a", count: 65) + "@acme.co.il", "longer than 64"),
        ("dana,cohen@acme.co.il", "contains ','"),
        ("dana@acme..co.il", "empty label"),
        ("dana@acme.co.il.", "empty label"),
        ("dana@-acme.co.il", "'-acme' starts or ends with a hyphen"),
        ("dana@acme_corp.com", "contains '_'"),
        ("dana@acme.123", "'123' is not one"),
        ("dana@acme.c", "'c' is not one"),
        ("dana@[192.168.1.1]", "IP address"),
        ("דנה@", "nothing after the @"),
    ]

    @Test(arguments: invalid)
    func refuses(_ row: (raw: String, mentions: String)) {
        let result = EmailNormalizer.normalize(row.raw)
        guard case .failure(let problem) = result else {
            Issue.record("expected a failure, got \(result)")
            return
        }
        #expect(problem.field == "email")
        #expect(problem.reason.contains(row.mentions), "reason: \(problem.reason)")
    }

    /// The byte path for plain addresses must agree with the full path on everything it takes, and take the
    /// plain valid addresses (else it would be dead code): generated addresses near the rules' edges.
    @Test func plainAddressPathAgreesWithTheFullPath() {
        var generator = SeededGenerator(seed: 5_321)
        let pieces = ["a", "Z", "dana", "x", "0", "9", ".", ".", "-", "_", "+", "'", "@", "@", " ", ",", ":", "<", ">",
                      "xn--", "co", "IL", "com", "mailto:", "é", "\t", "\u{00A0}"]
        var taken = 0
        for _ in 0..<20_000 {
            let count = Int(generator.next() % 9) + 1
            var raw = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            // Most generated strings are not addresses; half get a plausible domain so valid ones are common.
            if generator.next() % 2 == 0 { raw += ["@acme.co.il", "@Example.COM", ".xn--p1ai", "@a-b.c", "@x.io "][Int(generator.next() % 5)] }
            let full = EmailNormalizer.normalizeInFull(raw)
            if let plain = EmailNormalizer.plainAddress(raw) {
                taken += 1
                #expect(full == .success(plain), "\(raw.debugDescription): plain \(plain), full \(full)")
            }
            #expect(EmailNormalizer.normalize(raw) == full, "\(raw.debugDescription)")
        }
        #expect(taken > 500, "the byte path took only \(taken) addresses")
        for plain in ["dana@acme.co.il", "  Dana.Cohen@ACME.CO.IL  ", "first.last+leads@gmail.com", "info@xn--4dbrk0ce.xn--4dbrk0ce"] {
            #expect(EmailNormalizer.plainAddress(plain) != nil, "\(plain) should take the byte path")
        }
    }
}
