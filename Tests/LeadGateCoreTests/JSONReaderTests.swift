import Foundation
import LeadGateCore
import Testing

@Suite struct JSONReaderTests {
    /// Random strings near the edges of JSON's: quotes, backslashes, every control character, non-BMP scalars,
    /// Hebrew, combining marks. What `JSONWriter` and `JSONEncoder` write, the reader reads as `JSONDecoder` does.
    @Test func readsWhatTheWritersWriteAsJSONDecoderDoes() throws {
        var generator = SeededGenerator(seed: 20_261_129)
        let pieces = ["a", "Z", "\"", "\\", "/", "\n", "\r\n", "\t", "\u{0}", "\u{1}", "\u{1F}", "\u{7F}", "שלום", "привет",
                      "مرحبا", "😀", "👩🏽‍💻", "e\u{301}", "\u{FEFF}", "₪", " ", "\u{2028}", "{", "}", "[", "]", ":", ",", "null"]
        func text() -> String {
            (0..<Int.random(in: 0...8, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined()
        }
        for _ in 0..<1000 {
            let value = text()
            let dictionary = Dictionary((0..<Int.random(in: 0...3, using: &generator)).map { _ in (text(), text()) }, uniquingKeysWith: { a, _ in a })
            var writer = JSONWriter()
            writer.beginObject()
            writer.field("value", value)
            writer.field("map", dictionary)
            writer.endObject()
            let encoded = try JSONEncoder().encode(["value": value])
            for document in [writer.string, String(decoding: encoded, as: UTF8.self)] {
                let expected = try JSONDecoder().decode([String: JSONValue].self, from: Data(document.utf8))
                var reader = JSONReader(document)
                var read: [String: JSONValue] = [:]
                try reader.members { reader, key in
                    read[key] = key == "map" ? .map(try reader.stringDictionary()) : .text(try reader.string())
                }
                try reader.end()
                #expect(read == expected, "\(document)")
            }
        }
    }

    @Test func readsEveryKindOfValueAndStepsOverWhatItIsNotAskedFor() throws {
        var reader = JSONReader(#" { "a" : [ true , false , null ] , "skip" : {"x": [1, -2.5e3, "\u05e9\"", {}]}, "d": "2026-11-29T07:30:00Z", "e": "\ud83d\ude00" } "#)
        var flags: [Bool?] = [], date: Date?, emoji = ""
        try reader.members { reader, key in
            switch key {
            case "a": try reader.elements { flags.append(try $0.optionalBool()) }
            case "d": date = try reader.date()
            case "e": emoji = try reader.string()
            default: try reader.skipValue()
            }
        }
        try reader.end()
        #expect(flags == [true, false, nil])
        #expect(date == Date(timeIntervalSince1970: 1_795_937_400))
        #expect(emoji == "😀")
    }

    @Test(arguments: [
        "", "{", #"{"a"}"#, #"{"a": }"#, #"{"a": 1,}"#, #"{,"a": 1}"#, #"["a" "b"]"#, #""abc"#, #""a\x""#, #""\u12""#,
        #""\ud800""#, #""\udc00x""#, "\"a\u{1}b\"", #"{"a": tru}"#, #"{"a": 1} x"#, #"{"a": -}"#,
    ])
    func malformedDocumentsThrowWithTheirOffset(_ document: String) {
        #expect(throws: JSONReader.Malformed.self) {
            var reader = JSONReader(document)
            try reader.skipValue()
            try reader.end()
        }
    }

    @Test func valuesOfAnotherTypeThanAskedThrow() {
        #expect(throws: JSONReader.Malformed.self) {
            var reader = JSONReader(#"{"a": 1}"#)
            try reader.members { reader, _ in _ = try reader.string() }
        }
        #expect(throws: JSONReader.Malformed.self) {
            var reader = JSONReader(#""yesterday""#)
            _ = try reader.date()
        }
    }
}

/// A document's top-level values as the tests compare them.
private enum JSONValue: Decodable, Equatable {
    case text(String)
    case map([String: String])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) { self = .text(text) } else { self = .map(try container.decode([String: String].self)) }
    }
}
