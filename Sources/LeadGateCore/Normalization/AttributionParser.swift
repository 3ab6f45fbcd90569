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
        // Bytes rather than Characters: every delimiter is ASCII, and URLs arrive by the thousand.
        let bytes = Array(url.utf8)
        var found: [String: String] = [:]
        for query in queries(in: bytes[...]) {
            for pair in query.split(separator: UInt8(ascii: "&")) {
                guard let equals = pair.firstIndex(of: UInt8(ascii: "=")) else { continue }
                var key = decode(pair[..<equals]).trimmingUnicodeWhitespace().lowercased()
                if key.hasPrefix("amp;") { key.removeFirst(4) }
                guard trackedNames.contains(key), found[key] == nil else { continue }
                let value = String(decode(pair[(equals + 1)...]).trimmingUnicodeWhitespace())
                if !value.isEmpty { found[key] = value.utf8.allSatisfy { $0 < 0x80 } ? value : value.precomposedStringWithCanonicalMapping }
            }
        }
        return found
    }

    private static let trackedNames: Set<String> = [
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
        "gclid", "gbraid", "wbraid", "fbclid", "msclkid", "ttclid", "li_fat_id", "twclid", "yclid",
    ]

    /// The parts of `url` that hold `name=value` pairs: the query, and the fragment or the query inside it.
    private static func queries(in url: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        let hash = url.firstIndex(of: UInt8(ascii: "#"))
        let beforeHash = url[..<(hash ?? url.endIndex)]
        var queries: [ArraySlice<UInt8>] = []
        if let question = beforeHash.firstIndex(of: UInt8(ascii: "?")) {
            queries.append(beforeHash[(question + 1)...])
        } else if hash == nil, beforeHash.contains(UInt8(ascii: "=")), !beforeHash.contains(UInt8(ascii: "/")) {
            queries.append(beforeHash)
        }
        if let hash {
            let fragment = url[(hash + 1)...]
            if let question = fragment.firstIndex(of: UInt8(ascii: "?")) {
                queries.append(fragment[(question + 1)...])
            } else if fragment.contains(UInt8(ascii: "=")) {
                queries.append(fragment)
            }
        }
        return queries
    }

    /// Form-encoding decoded: `+` is a space, `%XX` a byte of UTF-8. A `%` not followed by two hex digits is
    /// kept as a `%`; bytes that do not make UTF-8 leave the whole text as sent.
    private static func decode(_ encoded: ArraySlice<UInt8>) -> String {
        let bytes = Hex.unescaped(encoded, escape: UInt8(ascii: "%"), space: UInt8(ascii: "+"))
        // The slice lies between ASCII delimiters of a Swift string, so it is valid UTF-8 as sent.
        return String(validating: bytes, as: UTF8.self) ?? String(decoding: encoded, as: UTF8.self)
    }
}
