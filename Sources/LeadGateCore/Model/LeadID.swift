import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Sortable, unique identifiers in the ULID layout (48-bit milliseconds + 80 random bits, Crockford base32),
/// with a short prefix saying what they name: `ld_` a lead, `tc_` a touch, `qr_` a quarantine entry.
public enum LeadID {
    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)

    /// A new identifier for `date` with the given prefix.
    public static func make(prefix: String, at date: Date) -> String {
        var generator = ThreadRandom()
        return make(prefix: prefix, at: date, using: &generator)
    }

    /// glibc's `arc4random`: a ChaCha20 generator per thread, seeded and reseeded from the kernel. As strong as
    /// `SystemRandomNumberGenerator`, which asks the kernel (`getrandom`) for every draw: two system calls per id,
    /// several ids per intake.
    private struct ThreadRandom: RandomNumberGenerator {
        mutating func next() -> UInt64 {
            var value: UInt64 = 0
            arc4random_buf(&value, MemoryLayout<UInt64>.size)
            return value
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
