import Foundation
import LeadGateCore

/// The content transfer encodings of RFC 2045 §6, decoded as leniently as mail clients do.
public enum MIMETransferEncoding {
    /// Decodes `input` by the `Content-Transfer-Encoding` token (`base64`, `quoted-printable`); any other
    /// token (`7bit`, `8bit`, `binary`, or one LeadGate does not know) leaves the bytes as they are.
    public static func decode(_ input: ArraySlice<UInt8>, encoding: String) -> [UInt8] {
        input.withUnsafeBufferPointer { buffer in
            switch encoding {
            case "base64": decodeBase64(buffer)
            case "quoted-printable": decodeQuotedPrintable(buffer)
            default: Array(buffer)
            }
        }
    }

    /// Base64 that skips line breaks, whitespace and stray characters, takes missing `=` padding, and goes on
    /// after padding in the middle (senders that join encoded blocks); a lone trailing sextet is dropped.
    public static func decodeBase64(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count / 4 * 3 + 3)
        var quad: UInt32 = 0
        var count = 0
        for byte in input {
            let value = base64Values[Int(byte)]
            if value < 64 {
                quad = quad << 6 | UInt32(value)
                count += 1
                if count == 4 {
                    out.append(UInt8(truncatingIfNeeded: quad >> 16))
                    out.append(UInt8(truncatingIfNeeded: quad >> 8))
                    out.append(UInt8(truncatingIfNeeded: quad))
                    quad = 0
                    count = 0
                }
            } else if value == padding {
                flushPartial(quad: quad, count: count, into: &out)
                quad = 0
                count = 0
            }
        }
        flushPartial(quad: quad, count: count, into: &out)
        return out
    }

    /// Quoted-printable (RFC 2045 §6.7): `=XX` in either case, soft line breaks `=` + CRLF or LF (with
    /// whitespace allowed between), trailing whitespace on lines removed; a `=` that starts neither is kept.
    public static func decodeQuotedPrintable(_ input: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var index = 0
        let count = input.count
        while index < count {
            let byte = input[index]
            if byte == MIMEByte.equals {
                if index + 2 < count, let high = Hex.value(input[index + 1]), let low = Hex.value(input[index + 2]) {
                    out.append(high << 4 | low)
                    index += 3
                    continue
                }
                var next = index + 1
                while next < count, MIMEByte.isBlank(input[next]) { next += 1 }
                if next == count {
                    index = count
                } else if input[next] == MIMEByte.lf {
                    index = next + 1
                } else if input[next] == MIMEByte.cr {
                    index = next + 1 < count && input[next + 1] == MIMEByte.lf ? next + 2 : next + 1
                } else {
                    out.append(byte)
                    index += 1
                }
            } else if MIMEByte.isBlank(byte) {
                var next = index + 1
                while next < count, MIMEByte.isBlank(input[next]) { next += 1 }
                let endsLine = next == count || input[next] == MIMEByte.cr || input[next] == MIMEByte.lf
                if !endsLine { out.append(contentsOf: UnsafeBufferPointer(rebasing: input[index..<next])) }
                index = next
            } else {
                out.append(byte)
                index += 1
            }
        }
        return out
    }

    private static func flushPartial(quad: UInt32, count: Int, into out: inout [UInt8]) {
        switch count {
        case 2:
            out.append(UInt8(truncatingIfNeeded: quad >> 4))
        case 3:
            out.append(UInt8(truncatingIfNeeded: quad >> 10))
            out.append(UInt8(truncatingIfNeeded: quad >> 2))
        default:
            break
        }
    }

    private static let padding: UInt8 = 0xFE

    /// Sextet values by byte; 0xFF for bytes that are skipped, `padding` for `=`.
    private static let base64Values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (value, byte) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(byte)] = UInt8(value)
        }
        table[Int(UInt8(ascii: "="))] = padding
        return table
    }()
}
