/// Reads consent checkboxes as senders write them.
public enum ConsentParser {
    /// true for yes/true/1/on/checked/agree/כן..., false for no/false/0/off/לא..., nil when it cannot be told.
    ///
    /// Besides single words, a checkbox label sent as the value ("I agree to receive offers", "מאשר/ת קבלת דיוור")
    /// is read by its opening words; a negated opening ("I do not agree", "לא מאשר") reads as no.
    public static func parse(_ raw: String) -> Bool? {
        guard let text = NameNormalizer.clean(raw)?.lowercased() else { return nil }
        // `["yes"]` and `Yes.` are a stringified list and a label, not another answer.
        let word = String(text.drop { "[\"".contains($0) }.reversed().drop { ".!)]\"".contains($0) }.reversed())
        if let answer = answers[word] { return answer }
        for (opening, answer) in openings where text.hasPrefix(opening) {
            if text.dropFirst(opening.count).first.map({ !$0.isLetter }) ?? true { return answer }
        }
        return nil
    }

    private static let yes = [
        "yes", "y", "true", "t", "1", "on", "checked", "check", "agree", "agreed", "i agree", "accept", "accepted",
        "i accept", "consent", "i consent", "ok", "okay", "opt in", "opt-in", "opted in", "subscribe", "subscribed", "✓", "✔", "☑",
        "כן", "מאשר", "מאשרת", "מאשר/ת", "מאשר.ת", "אני מאשר", "אני מאשרת", "מסכים", "מסכימה", "מסכים/ה", "אני מסכים",
        "אני מסכימה", "מעוניין", "מעוניינת", "מעוניין/ת",
        "да", "согласен", "согласна", "я согласен", "я согласна",
        "نعم", "أوافق", "موافق", "موافقة", "oui", "ja", "sí", "si",
    ]

    private static let no = [
        "no", "n", "false", "f", "0", "off", "unchecked", "disagree", "i disagree", "decline", "declined", "reject",
        "rejected", "opt out", "opt-out", "opted out", "unsubscribe", "unsubscribed", "no thanks", "i do not agree",
        "i don't agree", "i do not consent", "i don't consent",
        "לא", "לא מאשר", "לא מאשרת", "לא מסכים", "לא מסכימה", "לא מעוניין", "לא מעוניינת", "אני לא מאשר", "אני לא מאשרת",
        "нет", "не согласен", "не согласна", "я не согласен", "я не согласна",
        "لا", "لا أوافق", "غير موافق", "non", "nein",
    ]

    private static let answers: [String: Bool] = {
        var table: [String: Bool] = [:]
        for word in yes { table[word] = true }
        for word in no { table[word] = false }
        return table
    }()

    /// Openings of a label sent as the value, longest first so that "i do not" is read before "i".
    private static let openings: [(String, Bool)] = {
        let yes = [
            "yes", "i agree", "i accept", "i consent", "agree", "accept", "opt in", "subscribe",
            "כן", "מאשר", "מאשרת", "אני מאשר", "אני מאשרת", "מסכים", "מסכימה", "אני מסכים", "אני מסכימה", "מעוניין", "מעוניינת",
            "אני מעוניין", "אני מעוניינת", "да", "согласен", "согласна", "я согласен", "я согласна", "نعم", "أوافق", "موافق",
        ]
        let no = [
            "no", "i do not", "i don't", "i disagree", "do not", "don't", "opt out", "unsubscribe",
            "לא", "אני לא", "нет", "не", "я не", "لا",
        ]
        return (yes.map { ($0, true) } + no.map { ($0, false) }).sorted { $0.0.count > $1.0.count }
    }()
}
