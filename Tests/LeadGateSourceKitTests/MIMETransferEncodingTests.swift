import Testing

import LeadGateSourceKit

private func decoded(_ text: String, _ encoding: String) -> String {
    String(decoding: MIMETransferEncoding.decode(Array(text.utf8)[...], encoding: encoding), as: UTF8.self)
}

private func decodedBytes(_ text: String, _ encoding: String) -> [UInt8] {
    MIMETransferEncoding.decode(Array(text.utf8)[...], encoding: encoding)
}

@Test(arguments: [
    ("caf=C3=A9", "café"),
    ("caf=c3=a9", "café"),  // lower-case hex
    ("soft =\r\nbreak", "soft break"),
    ("soft =\nbreak", "soft break"),
    ("soft =  \r\nbreak", "soft break"),  // whitespace after the soft-break '='
    ("trailing   \r\nspaces\t\r\n", "trailing\r\nspaces\r\n"),
    ("keep  inner  spaces", "keep  inner  spaces"),
    ("a = b", "a = b"),  // a '=' that starts nothing is kept
    ("=ZZ", "=ZZ"),
    ("end=", "end"),
    ("=3D=3d", "=="),
    ("tab\there", "tab\there"),
])
func mimeDecodesQuotedPrintable(input: String, expected: String) {
    #expect(decoded(input, "quoted-printable") == expected)
}

@Test(arguments: [
    ("SGVsbG8=", "Hello"),
    ("SGVsbG8", "Hello"),  // padding missing
    ("SGVs\r\nbG8=\r\n", "Hello"),
    ("  S G V s b G 8 = ", "Hello"),
    ("SGVs!!bG8*=", "Hello"),  // stray characters skipped
    ("SGVsbG8=SGk=", "HelloHi"),  // two blocks joined
    ("SGVsbG8=\r\n\r\n--", "Hello"),
    ("S", ""),  // a lone sextet is no byte
    ("", ""),
])
func mimeDecodesBase64(input: String, expected: String) {
    #expect(decoded(input, "base64") == expected)
}

@Test func mimeOtherEncodingsLeaveBytesAlone() {
    let bytes: [UInt8] = [0xF9, 0xEC, 0x3D, 0x41]
    for encoding in ["7bit", "8bit", "binary", "x-uuencode"] {
        #expect(MIMETransferEncoding.decode(bytes[...], encoding: encoding) == bytes)
    }
    #expect(decodedBytes("=F9=EC", "quoted-printable") == [0xF9, 0xEC])
}
