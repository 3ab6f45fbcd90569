import Foundation

/// The languages the dashboard is written in.
public enum DashboardLanguage: String, Sendable, Hashable, CaseIterable {
    case hebrew = "he"
    case english = "en"

    /// `rtl` or `ltr`, for the `dir` attribute.
    public var direction: String { self == .hebrew ? "rtl" : "ltr" }

    /// The language for a request: the best one its `Accept-Language` accepts, else the configured
    /// one, else English.
    ///
    /// A range counts by its primary subtag (`he-IL` and the old `iw` are Hebrew). Highest q wins; at
    /// equal q a named language beats `*`, then the earlier range, then the configured language. A range
    /// with a malformed q is ignored. When neither language is acceptable, one the header did not refuse
    /// (`q=0`) is served, the configured one first.
    public static func negotiate(acceptLanguage: String?, configured: String?) -> DashboardLanguage {
        let fallback = configured.flatMap(language(ofTag:)) ?? .english
        guard let acceptLanguage else { return fallback }

        struct Preference {
            var q: Double
            var named: Bool
            var position: Int
        }
        var named: [DashboardLanguage: Preference] = [:]
        var wildcard: Preference?
        for (position, range) in acceptLanguage.split(separator: ",").enumerated() {
            let parts = range.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let tag = parts.first, !tag.isEmpty, let q = quality(parts.dropFirst()) else { continue }
            if tag == "*" {
                wildcard = wildcard ?? Preference(q: q, named: false, position: position)
            } else if let language = language(ofTag: tag), q > named[language]?.q ?? -1 {
                named[language] = Preference(q: q, named: true, position: position)
            }
        }
        // The fallback first, so that it wins every remaining tie.
        let ordered = [fallback] + allCases.filter { $0 != fallback }
        let best = ordered.compactMap { language in (named[language] ?? wildcard).map { (language, $0) } }
            .filter { $0.1.q > 0 }
            .min { first, second in
                let (a, b) = (first.1, second.1)
                if a.q != b.q { return a.q > b.q }
                if a.named != b.named { return a.named }
                return a.position < b.position
            }
        // Nothing acceptable: rather a language the header did not refuse than one it did.
        return best?.0 ?? ordered.first { (named[$0] ?? wildcard)?.q != 0 } ?? fallback
    }

    /// The language of a tag such as `he-IL`, `en_US` or `iw`; nil for any other language.
    private static func language(ofTag tag: String) -> DashboardLanguage? {
        let primary = tag.split(whereSeparator: { $0 == "-" || $0 == "_" }).first.map { $0.lowercased() }
        switch primary {
        case "he", "iw": return .hebrew
        case "en": return .english
        default: return nil
        }
    }

    /// The `q` parameter among a range's parameters: 1 when absent, nil when it is not a number in 0…1.
    private static func quality(_ parameters: ArraySlice<String>) -> Double? {
        guard let parameter = parameters.first(where: { $0.lowercased().hasPrefix("q=") }) else { return 1 }
        guard let q = Double(parameter.dropFirst(2)), (0...1).contains(q) else { return nil }
        return q
    }
}
