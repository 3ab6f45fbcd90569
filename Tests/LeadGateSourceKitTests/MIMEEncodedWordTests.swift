import Testing

import LeadGateSourceKit

/// Encoded words as mailers write them; byte sequences from Python's codecs.
@Test(arguments: [
    ("=?UTF-8?B?16nXnNeV150=?=", "שלום"),
    ("=?utf-8?b?16nXnNeV150?=", "שלום"),  // lower case, padding missing
    ("=?windows-1255?B?+ezl7Q==?=", "שלום"),
    ("=?windows-1255?Q?=F9=EC=E5=ED?=", "שלום"),
    ("=?windows-1255?q?=f9=ec=e5=ed?=", "שלום"),  // lower-case hex
    ("=?ISO-8859-8-I?Q?=F9=EC=E5=ED?=", "שלום"),
    ("=?koi8-r?B?8NLJ18XU?=", "Привет"),
    ("=?Shift_JIS?B?k/qWe4zq?=", "日本語"),
    ("=?gb2312?B?1tDOxA==?=", "中文"),
    ("=?big5?B?pKSk5Q==?=", "中文"),
    ("=?iso-8859-1?Q?caf=E9?=", "café"),
    ("=?UTF-8?Q?New_enquiry_=E2=80=94_pricing?=", "New enquiry — pricing"),
    // RFC 2047 §6.2: whitespace between adjacent encoded words goes, whitespace next to plain text stays.
    ("=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab"),
    ("=?UTF-8?Q?a?=\t  =?UTF-8?Q?b?=", "ab"),
    ("=?UTF-8?Q?a?= b =?UTF-8?Q?c?=", "a b c"),
    ("Re: =?UTF-8?Q?caf=C3=A9?= now", "Re: café now"),
    ("=?UTF-8?Q?a_b?=", "a b"),
    // A character split between two words (16nX | nNeV150=) comes out whole.
    ("=?UTF-8?B?16nX?= =?UTF-8?B?nNeV150=?=", "שלום"),
    // Adjacent words in different charsets.
    ("=?windows-1255?B?+ezl7Q==?= =?koi8-r?B?8NLJ18XU?=", "שלוםПривет"),
    // RFC 2231 §5 language after the charset.
    ("=?UTF-8*he?B?16nXnNeV150=?=", "שלום"),
    // Not encoded words: kept as written.
    ("=?UTF-8?X?abc?=", "=?UTF-8?X?abc?="),
    ("=?UTF-8?Q?unterminated", "=?UTF-8?Q?unterminated"),
    ("=??Q?abc?=", "=??Q?abc?="),
    ("a =? b ?= c", "a =? b ?= c"),
    ("plain text", "plain text"),
    ("", ""),
    // Broken senders leave spaces in Q text.
    ("=?UTF-8?Q?hello world?=", "hello world"),
    // Touching other text (not allowed by the RFC, decoded by every client).
    ("x=?UTF-8?Q?y?=z", "xyz"),
])
func mimeDecodesEncodedWords(raw: String, expected: String) {
    let decoded = MIMEEncodedWord.decode(raw)
    #expect(decoded.text == expected)
    #expect(decoded.warnings.isEmpty)
}

@Test func mimeEncodedWordInUnknownCharsetDecodesWithWarning() {
    let decoded = MIMEEncodedWord.decode("=?x-unknown?Q?caf=C3=A9?=")
    #expect(decoded.text == "café")
    #expect(decoded.warnings.count == 1)
    #expect(decoded.warnings.first?.contains("x-unknown") == true)
}

@Test func mimeEncodedWordWithInvalidBytesGetsReplacementCharacter() {
    // Declared UTF-8, written in windows-1255: the charset lies.
    let decoded = MIMEEncodedWord.decode("=?UTF-8?Q?=F9=EC?=")
    #expect(decoded.text == "\u{FFFD}\u{FFFD}")
    #expect(!decoded.warnings.isEmpty)
}
