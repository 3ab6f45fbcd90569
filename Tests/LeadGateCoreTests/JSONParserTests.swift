import Foundation
import Testing
@testable import LeadGateCore

@Suite struct JSONParserTests {
    /// Random strings near the edges of JSON's: quotes, backslashes, every control character, non-BMP scalars,
    /// Hebrew, combining marks. What `JSONWriter` and `JSONEncoder` write, the parser reads as `JSONDecoder` does.
    @Test func readsWhatTheWritersWriteAsJSONDecoderDoes() throws {
        var generator = SeededGenerator(seed: 20_261_129)
        let pieces = ["a", "Z", "\"", "\\", "/", "\n", "\r\n", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "שלום", "привет",
                      "مرحبا", "😀", "👩🏽‍💻", "e\u{301}", "\u{FEFF}", "₪", " ", "\u{2028}", "{", "}", "[", "]", ":", ",", "null"]
        func text() -> String {
            (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
        for _ in 0..<1000 {
            let values = Dictionary((0..<Int.random(in: 1...4, using: &generator)).map { _ in (text(), text()) }, uniquingKeysWith: { a, _ in a })
            var writer = JSONWriter()
            writer.beginObject()
            writer.field("map", values)
            writer.endObject()
            let encoded = String(decoding: try JSONEncoder().encode(["map": values]), as: UTF8.self)
            for document in [writer.string, encoded] {
                let expected = try JSONDecoder().decode([String: [String: String]].self, from: Data(document.utf8))
                guard case .object(let root) = try JSONParser.parse(Array(document.utf8)), case .object(let map)? = root.first?.value else {
                    Issue.record("not an object of objects: \(document)")
                    continue
                }
                let read = Dictionary(map.map { ($0.key, $0.value.scalarText ?? "?") }, uniquingKeysWith: { a, _ in a })
                #expect(["map": read] == expected, "\(document)")
            }
        }
    }
}
