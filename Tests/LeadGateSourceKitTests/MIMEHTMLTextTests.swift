import Testing

import LeadGateSourceKit

@Test(arguments: [
    // Form mailers' label/value tables: one row, one line, cells apart.
    (
        "<table><tr><td>Name</td><td>John Smith</td></tr><tr><th>Email</th><td><a href=\"mailto:j@x.co\">j@x.co</a></td></tr></table>",
        "Name\tJohn Smith\nEmail\tj@x.co"
    ),
    ("<table><tr><td><p>Name:</p></td><td><div>Dana</div></td></tr></table>", "Name:\tDana"),
    ("<tr><td>שם</td>\n  <td>דנה כהן</td></tr>", "שם\tדנה כהן"),
    ("<dl><dt>Phone</dt><dd>054-1234567</dd></dl>", "Phone\t054-1234567"),
    ("<p><b>Name:</b> Dana</p><p>Phone: 054</p>", "Name: Dana\nPhone: 054"),
    ("line one<br>line two<br/><br />line four", "line one\nline two\n\nline four"),
    // Entities: named, decimal, hex, unknown, unterminated.
    ("&lt;b&gt; &amp; &quot;q&quot; &#1513;&#x5DC;&#X5D5;&#1501; &eacute; &euro;", "<b> & \"q\" שלום é €"),
    ("AT&T &unknown; &amp &#xZZ; & alone", "AT&T &unknown; & &#xZZ; & alone"),
    ("a&nbsp;&nbsp;b", "a b"),
    ("&#0; &#xD800; &#99999999;", "\u{FFFD} \u{FFFD} \u{FFFD}"),
    // Not text: scripts, styles, comments, declarations.
    ("<!DOCTYPE html><html><head><title>T</title><style>p{color:red}</style></head><body>Hi<script>alert('<p>')</script></body></html>", "Hi"),
    ("a<!-- hidden <p> -->b", "ab"),
    ("a<?xml version=\"1.0\"?>b", "ab"),
    // Whitespace collapses outside <pre>.
    ("  many \n\n  spaces\there  ", "many spaces here"),
    ("<pre>keep\n  this</pre>", "keep\n  this"),
    // Broken markup.
    ("a < b and 1<2", "a < b and 1<2"),
    ("<p>unclosed <b attr=\"x>y\">bold", "unclosed bold"),
    ("text <a href=\"never closed", "text"),
    ("<script>never closed", ""),
    ("x<!-- never closed", "x"),
    ("", ""),
])
func mimeTurnsHTMLIntoText(html: String, expected: String) {
    #expect(HTMLText.plainText(fromHTML: html) == expected)
}

@Test func mimeHTMLTextIsLinearOnHostileInput() {
    // Each of these would be quadratic if a scan restarted at every '<' or '&'.
    for hostile in [String(repeating: "<a", count: 200_000), String(repeating: "&#", count: 200_000), String(repeating: "<!--", count: 100_000)] {
        let text = HTMLText.plainText(fromHTML: hostile)
        #expect(text.utf8.count <= hostile.utf8.count)
    }
}
