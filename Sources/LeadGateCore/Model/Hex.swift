/// Hexadecimal digits, as percent-encoding, JSON's `\u` escapes and signatures write them.
package enum Hex {
    /// The value of one hex digit, either case; nil for any other byte.
    package static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Lower-case hex of `bytes`.
    package static func encoded(_ bytes: some Sequence<UInt8>) -> String {
        func digit(_ nibble: UInt8) -> UInt8 { nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digit(byte >> 4))
            out.append(digit(byte & 0x0F))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `bytes` with every `escape` followed by two hex digits decoded to that byte, and each `space` byte read as a
    /// space: percent-encoding (`%`, with `+` for a space in form bodies) and RFC 2047's Q encoding (`=`, with `_`).
    /// An escape not followed by two hex digits is kept as it is.
    package static func unescaped(_ bytes: ArraySlice<UInt8>, escape: UInt8, space: UInt8? = nil) -> [UInt8] {
        bytes.withUnsafeBufferPointer { unescaped($0, escape: escape, space: space) }
    }

    /// `unescaped` of bytes in memory (not generic: a call from another module would not be specialized).
    package static func unescaped(_ bytes: UnsafeBufferPointer<UInt8>, escape: UInt8, space: UInt8? = nil) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if byte == escape, index + 2 < bytes.count, let high = value(bytes[index + 1]), let low = value(bytes[index + 2]) {
                out.append(high << 4 | low)
                index += 3
                continue
            }
            out.append(byte == space ? UInt8(ascii: " ") : byte)
            index += 1
        }
        return out
    }
}
