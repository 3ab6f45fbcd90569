import Foundation

/// Finds UTM parameters and click ids in landing URLs and referrers.
public enum AttributionParser {
    /// The tracking parameters of `url` by lower-cased name: `utm_source`, `utm_medium`, `utm_campaign`, `utm_term`,
    /// `utm_content`, `gclid`, `gbraid`, `wbraid`, `fbclid`, `msclkid`, `ttclid`, `li_fat_id`, `twclid`, `yclid`; percent-decoded.
    ///
    /// Reads the query and, as single-page apps put them there, parameters after `#`. Takes relative paths
    /// and bare query strings, `+` as space, keys in any case and keys left HTML-escaped (`&amp;utm_medium`).
    /// Never fails: what cannot be parsed is skipped. The first non-empty value of a name wins.
    public static func trackingParameters(in url: String) -> [String: String] {
        var found: [String: String] = [:]
        for query in queries(in: Substring(url)) {
            for pair in query.split(separator: "&") {
                let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                guard parts.count == 2 else { continue }
                var key = decode(parts[0]).trimmingCharacters(in: .whitespaces).lowercased()
                if key.hasPrefix("amp;") { key.removeFirst(4) }
                guard trackedNames.contains(key), found[key] == nil else { continue }
                let value = decode(parts[1]).precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
                if !value.isEmpty { found[key] = value }
            }
        }
        return found
    }

    private static let trackedNames: Set<String> = [
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
        "gclid", "gbraid", "wbraid", "fbclid", "msclkid", "ttclid", "li_fat_id", "twclid", "yclid",
    ]

    /// The parts of `url` that hold `name=value` pairs: the query, and the fragment or the query inside it.
    private static func queries(in url: Substring) -> [Substring] {
        let hash = url.firstIndex(of: "#")
        let beforeHash = url[..<(hash ?? url.endIndex)]
        var queries: [Substring] = []
        if let question = beforeHash.firstIndex(of: "?") {
            queries.append(beforeHash[beforeHash.index(after: question)...])
        } else if hash == nil, beforeHash.contains("="), !beforeHash.contains("/") {
            queries.append(beforeHash)
        }
        if let hash {
            let fragment = url[url.index(after: hash)...]
            if let question = fragment.firstIndex(of: "?") {
                queries.append(fragment[fragment.index(after: question)...])
            } else if fragment.contains("=") {
                queries.append(fragment)
            }
        }
        return queries
    }

    /// Form-encoding decoded: `+` is a space, `%XX` a byte of UTF-8. Text that does not decode stays as sent.
    private static func decode(_ encoded: Substring) -> String {
        let spaced = encoded.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
