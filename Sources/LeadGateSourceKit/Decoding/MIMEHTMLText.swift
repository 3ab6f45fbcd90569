import Foundation
import LeadGateCore

/// Plain text from the HTML body of a mail, for reading `label: value` fields out of it.
///
/// Tags are dropped (script, style and title with their content), entities decoded (named, `&#1488;`,
/// `&#x5D0;`), whitespace collapsed as a browser would. Block elements and `<br>` end lines; the cells of a
/// table row stay on one line separated by a tab (so do `<dt>`/`<dd>` pairs), so a form mailer's
/// `<tr><td>Name</td><td>Dana</td></tr>` becomes `Name<TAB>Dana`. One forward pass: linear in the input,
/// whatever is unclosed.
public enum HTMLText {
    /// The text of `html`.
    public static func plainText(fromHTML html: String) -> String {
        html.lendingUTF8 { input in
            var renderer = HTMLTextRenderer(input: input)
            renderer.run()
            return renderer.result()
        }
    }
}

private struct HTMLTextRenderer {
    let input: UnsafeBufferPointer<UInt8>
    var index = 0
    var out: [UInt8] = []
    /// Line breaks owed before the next text (at most two: a blank line).
    var pendingBreaks = 0
    var pendingSpace = false
    var pendingTab = false
    /// Cells opened in the current row.
    var cellsInRow = 0
    /// Inside a table cell, block elements only separate words: the row must stay one line.
    var cellDepth = 0
    var preDepth = 0

    init(input: UnsafeBufferPointer<UInt8>) {
        self.input = input
        out.reserveCapacity(input.count / 2)
    }

    mutating func run() {
        while index < input.count {
            let byte = input[index]
            switch byte {
            case UInt8(ascii: "<"):
                tag()
            case UInt8(ascii: "&"):
                entity()
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"), 0x0C:
                if preDepth > 0 {
                    if byte == UInt8(ascii: "\n") { lineBreak(forced: true) } else if byte != UInt8(ascii: "\r") { emit([byte]) }
                } else {
                    pendingSpace = true
                }
                index += 1
            default:
                emit(byte)
                index += 1
            }
        }
    }

    /// The text with trailing blanks of each line removed, at most one blank line in a row, and no blank lines
    /// or blanks at either end.
    func result() -> String {
        var text: [UInt8] = []
        text.reserveCapacity(out.count)
        var breaks = 0
        var blanks: [UInt8] = []
        for byte in out {
            if byte == MIMEByte.lf {
                blanks.removeAll(keepingCapacity: true)
                if !text.isEmpty { breaks += 1 }
            } else if MIMEByte.isBlank(byte) {
                if !text.isEmpty { blanks.append(byte) }
            } else {
                text.append(contentsOf: repeatElement(MIMEByte.lf, count: min(breaks, 2)))
                text += blanks
                breaks = 0
                blanks.removeAll(keepingCapacity: true)
                text.append(byte)
            }
        }
        return String(decoding: text, as: UTF8.self)
    }

    // MARK: - text

    private mutating func emit(_ byte: UInt8) {
        flushPending()
        out.append(byte)
    }

    private mutating func emit(_ bytes: [UInt8]) {
        flushPending()
        out.append(contentsOf: bytes)
    }

    private mutating func flushPending() {
        if pendingBreaks > 0, !out.isEmpty {
            out.append(contentsOf: repeatElement(MIMEByte.lf, count: pendingBreaks))
        } else if pendingTab, !out.isEmpty, out.last != MIMEByte.lf {
            out.append(MIMEByte.tab)
        } else if pendingSpace, !out.isEmpty, out.last != MIMEByte.lf, out.last != MIMEByte.tab {
            out.append(MIMEByte.space)
        }
        pendingBreaks = 0
        pendingTab = false
        pendingSpace = false
    }

    private mutating func lineBreak(forced: Bool = false) {
        if cellDepth > 0 {
            pendingSpace = true
        } else if forced {
            pendingBreaks = min(2, pendingBreaks + 1)
        } else {
            pendingBreaks = max(pendingBreaks, 1)
        }
    }

    // MARK: - tags

    private static let blockTags: Set<String> = [
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "table", "blockquote", "section", "article", "header",
        "footer", "form", "fieldset", "address", "dl", "hr", "center", "main", "nav", "aside", "caption", "thead", "tbody", "tfoot",
    ]
    /// Elements whose content is not text.
    private static let rawTextTags: Set<String> = ["script", "style", "title", "noscript", "template"]

    private mutating func tag() {
        let open = index
        index += 1
        guard index < input.count else {
            emit(UInt8(ascii: "<"))
            return
        }
        let first = input[index]
        if first == UInt8(ascii: "!") {
            if input[index...].starts(with: "!--".utf8) {
                skip(past: "-->", from: index + 3)
            } else {
                skipTagBody()
            }
            return
        }
        if first == UInt8(ascii: "?") {
            skipTagBody()
            return
        }
        let closing = first == UInt8(ascii: "/")
        if closing { index += 1 }
        let nameStart = index
        while index < input.count, isNameByte(input[index]) { index += 1 }
        guard index > nameStart, isLetter(input[nameStart]) else {
            // `a < b` or `<3`: text, not a tag.
            index = open + 1
            emit(UInt8(ascii: "<"))
            return
        }
        let name = String(decoding: UnsafeBufferPointer(rebasing: input[nameStart..<index]), as: UTF8.self).lowercased()
        skipTagBody()
        if !closing, Self.rawTextTags.contains(name) {
            skipRawText(closing: name)
            return
        }
        element(name, closing: closing)
    }

    private mutating func element(_ name: String, closing: Bool) {
        switch name {
        case "br":
            lineBreak(forced: true)
        case "tr":
            cellsInRow = 0
            cellDepth = 0
            pendingBreaks = max(pendingBreaks, 1)
        case "td", "th":
            if closing {
                cellDepth = max(0, cellDepth - 1)
            } else {
                if cellsInRow > 0 { pendingTab = true }
                cellsInRow += 1
                cellDepth += 1
            }
        case "dt":
            if !closing { pendingBreaks = max(pendingBreaks, 1) }
        case "dd":
            if !closing { pendingTab = true }
        case "pre":
            preDepth = max(0, preDepth + (closing ? -1 : 1))
            lineBreak()
        case "table":
            cellsInRow = 0
            cellDepth = 0
            pendingBreaks = max(pendingBreaks, 1)
        default:
            if Self.blockTags.contains(name) { lineBreak() }
        }
    }

    /// Past the `>` that ends the tag, over quoted attribute values; an unclosed tag swallows the rest, as in browsers.
    private mutating func skipTagBody() {
        var quote: UInt8?
        while index < input.count {
            let byte = input[index]
            index += 1
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                quote = byte
            } else if byte == UInt8(ascii: ">") {
                return
            }
        }
    }

    private mutating func skip(past terminator: String, from position: Int) {
        let needle = Array(terminator.utf8)
        index = position
        while index < input.count {
            if input[index] == needle[0], input[index...].starts(with: needle) {
                index += needle.count
                return
            }
            index += 1
        }
    }

    /// Past `</name ...>`, ignoring case; everything before it is dropped.
    private mutating func skipRawText(closing name: String) {
        let needle = Array("</\(name)".utf8)
        while index < input.count {
            if input[index] == UInt8(ascii: "<"), index + needle.count <= input.count,
                zip(input[index..<(index + needle.count)], needle).allSatisfy({ $0 | 0x20 == $1 | 0x20 })
            {
                index += needle.count
                skipTagBody()
                return
            }
            index += 1
        }
    }

    private func isNameByte(_ byte: UInt8) -> Bool {
        isLetter(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
    }

    private func isLetter(_ byte: UInt8) -> Bool {
        (byte | 0x20) >= UInt8(ascii: "a") && (byte | 0x20) <= UInt8(ascii: "z")
    }

    // MARK: - entities

    private mutating func entity() {
        let start = index + 1
        var end = start
        while end < input.count, end - start < 32, isNameByte(input[end]) || input[end] == UInt8(ascii: "#") { end += 1 }
        let name = String(decoding: UnsafeBufferPointer(rebasing: input[start..<end]), as: UTF8.self)
        let terminated = end < input.count && input[end] == UInt8(ascii: ";")
        if let scalar = decodeEntity(name, terminated: terminated) {
            index = terminated ? end + 1 : end
            if scalar == "\u{00A0}" {
                pendingSpace = true
            } else {
                emit(Array(String(scalar).utf8))
            }
            return
        }
        emit(UInt8(ascii: "&"))
        index += 1
    }

    private func decodeEntity(_ name: String, terminated: Bool) -> Unicode.Scalar? {
        if name.hasPrefix("#") {
            let digits = name.dropFirst()
            let value: UInt32? =
                if digits.first == "x" || digits.first == "X" { UInt32(digits.dropFirst(), radix: 16) } else { UInt32(digits, radix: 10) }
            guard let value else { return nil }
            return Unicode.Scalar(value).flatMap { $0.value == 0 ? nil : $0 } ?? "\u{FFFD}"
        }
        // Without the `;` only the oldest names are taken, as browsers do.
        guard terminated || ["amp", "lt", "gt", "quot", "nbsp"].contains(name) else { return nil }
        return Self.named[name]
    }

    /// The entities form mailers and mail clients write; the full HTML table has more than 2,000.
    private static let named: [String: Unicode.Scalar] = [
        "amp": "&", "lt": "<", "gt": ">", "quot": "\"", "apos": "'", "nbsp": "\u{00A0}", "shy": "\u{00AD}",
        "copy": "©", "reg": "®", "trade": "™", "hellip": "…", "mdash": "—", "ndash": "–", "lsquo": "‘", "rsquo": "’",
        "sbquo": "‚", "ldquo": "“", "rdquo": "”", "bdquo": "„", "laquo": "«", "raquo": "»", "bull": "•", "middot": "·",
        "euro": "€", "pound": "£", "yen": "¥", "cent": "¢", "sect": "§", "para": "¶", "deg": "°", "plusmn": "±", "times": "×",
        "divide": "÷", "frac12": "½", "frac14": "¼", "frac34": "¾", "iexcl": "¡", "iquest": "¿", "zwnj": "\u{200C}",
        "zwj": "\u{200D}", "lrm": "\u{200E}", "rlm": "\u{200F}", "ensp": "\u{2002}", "emsp": "\u{2003}", "thinsp": "\u{2009}",
        "aacute": "á", "eacute": "é", "iacute": "í", "oacute": "ó", "uacute": "ú", "Aacute": "Á", "Eacute": "É",
        "Iacute": "Í", "Oacute": "Ó", "Uacute": "Ú", "agrave": "à", "egrave": "è", "igrave": "ì", "ograve": "ò",
        "ugrave": "ù", "Agrave": "À", "Egrave": "È", "acirc": "â", "ecirc": "ê", "icirc": "î", "ocirc": "ô", "ucirc": "û",
        "auml": "ä", "euml": "ë", "iuml": "ï", "ouml": "ö", "uuml": "ü", "Auml": "Ä", "Ouml": "Ö", "Uuml": "Ü", "szlig": "ß",
        "ntilde": "ñ", "Ntilde": "Ñ", "ccedil": "ç", "Ccedil": "Ç", "aring": "å", "Aring": "Å", "aelig": "æ", "AElig": "Æ",
        "oslash": "ø", "Oslash": "Ø", "atilde": "ã", "otilde": "õ", "yacute": "ý", "yuml": "ÿ",
    ]
}
