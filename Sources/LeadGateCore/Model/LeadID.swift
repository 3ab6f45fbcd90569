import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// Sortable, unique identifiers in the ULID layout (48-bit milliseconds + 80 random bits, Crockford base32),
/// with a short prefix saying what they name: `ld_` a lead, `tc_` a touch, `qr_` a quarantine entry.
public enum LeadID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new identifier for `date` with the given prefix.
    public static func make(prefix: String, at date: Date) -> String {
        var generator = KernelRandom()
        return make(prefix: prefix, at: date, using: &generator)
    }

    /// The kernel's random bytes (`getrandom`), fetched 4 KiB at a time. glibc's `arc4random_buf` and
    /// `SystemRandomNumberGenerator` both make a system call for every draw: two per id, several ids per intake.
    private struct KernelRandom: RandomNumberGenerator {
        private struct Pool {
            var bytes = [UInt8](repeating: 0, count: 4096)
            var used = 4096

            mutating func next() -> UInt64 {
                if used == bytes.count {
                    bytes.withUnsafeMutableBufferPointer { arc4random_buf($0.baseAddress!, $0.count) }
                    used = 0
                }
                defer { used += 8 }
                return bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: used, as: UInt64.self) }
            }
        }

        private static let pool = Mutex(Pool())

        mutating func next() -> UInt64 {
            Self.pool.withLock { $0.next() }
        }
    }

    /// A new identifier drawn from `generator` (tests pass a seeded one).
    public static func make<G: RandomNumberGenerator>(prefix: String, at date: Date, using generator: inout G) -> String {
        let millis = UInt64(max(0, date.timeIntervalSince1970 * 1000))
        var bytes = [UInt8](repeating: 0, count: 26)
        var time = millis
        for index in stride(from: 9, through: 0, by: -1) {
            bytes[index] = alphabet[Int(time & 31)]
            time >>= 5
        }
        // 80 random bits: 64 from one draw, 16 from another.
        var random = generator.next()
        for index in 10..<22 {
            bytes[index] = alphabet[Int(random & 31)]
            random >>= 5
        }
        random = generator.next()
        for index in 22..<26 {
            bytes[index] = alphabet[Int(random & 31)]
            random >>= 5
        }
        return prefix + String(decoding: bytes, as: UTF8.self)
    }
}
