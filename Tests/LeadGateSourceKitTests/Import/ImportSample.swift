import Foundation

/// Inputs shared by the import tests.
enum ImportSample {
    /// UTF-16 code units of `text` as bytes, with a byte-order mark unless `mark` is false.
    static func utf16(_ text: String, bigEndian: Bool = false, mark: Bool = true) -> [UInt8] {
        let units = (mark ? [UInt16(0xFEFF)] : []) + Array(text.utf16)
        return units.flatMap { unit in
            bigEndian ? [UInt8(unit >> 8), UInt8(unit & 0xFF)] : [UInt8(unit & 0xFF), UInt8(unit >> 8)]
        }
    }

    /// A moment written as ISO 8601 in UTC, for expectations.
    static func date(_ iso: String) -> Date? {
        ISO8601DateFormatter().date(from: iso)
    }
}
