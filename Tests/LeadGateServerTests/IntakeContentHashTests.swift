import Crypto
import Foundation
import LeadGateCore
import Testing
@testable import LeadGateServer

/// The content hash that tells a double-clicked submit from a new one.
@Suite struct IntakeContentHashTests {
    /// The first 8 bytes of SHA-256 over `key NUL value NUL` of each field in key order, as hex.
    private func expected(_ pairs: [(String, String)]) -> String {
        var bytes: [UInt8] = []
        for (key, value) in pairs.sorted(by: { ($0.0, $0.1) < ($1.0, $1.1) }) {
            bytes += Array(key.utf8) + [0] + Array(value.utf8) + [0]
        }
        return SHA256.hash(data: bytes).prefix(8).map { String(format: "%02x", $0) }.joined()
    }

    @Test func isSHA256OfTheFieldsInKeyOrder() {
        let pairs = [("name", "דנה כהן"), ("email", "dana@acme.co.il"), ("phone", "054-1234567"), ("message", "")]
        let hash = IntakePipeline.contentHash(pairs.map { RawField($0.0, $0.1) })
        #expect(hash == expected(pairs))
        #expect(hash.utf8.count == 16)
        #expect(IntakePipeline.contentHash(pairs.reversed().map { RawField($0.0, $0.1) }) == hash, "field order does not matter")
    }

    @Test func differsWhenAValueOrTheSplitBetweenKeyAndValueDiffers() {
        let base = IntakePipeline.contentHash([RawField("name", "Dana"), RawField("email", "dana@acme.co.il")])
        #expect(IntakePipeline.contentHash([RawField("name", "Dana "), RawField("email", "dana@acme.co.il")]) != base)
        #expect(IntakePipeline.contentHash([RawField("ab", "c")]) != IntakePipeline.contentHash([RawField("a", "bc")]))
    }
}
