import Foundation
#if canImport(_FoundationICU)
import _FoundationICU
import Synchronization
#endif

/// The regular expression of a `matches` test: ICU syntax, searched anywhere in the value.
///
/// On Linux it drives the ICU that Foundation ships directly, with the flags `NSRegularExpression`
/// gives it, so patterns mean what they meant. Each search through `NSRegularExpression` bridges the
/// value to an `NSString`, sets the text twice and builds a match object, and when two threads search
/// at once one of them clones the compiled pattern and throws the clone away: here a search on a
/// short value such as a name costs about half as much (in the 20-rule benchmark, whose one `matches`
/// rule took about 5,500 instructions of an evaluation, the evaluation took 2,900 fewer). An ICU matcher holds its text, so concurrent evaluations each take an idle clone from a
/// pool and give it back. A pattern that is only literal text (`LiteralPattern`) is searched on a plain
/// value's bytes instead, without the engine: in that benchmark, 2,000 instructions an evaluation fewer.
final class TextPattern: @unchecked Sendable {
    /// The pattern as literal text, when it is only that: searched on the value's bytes, without the engine.
    let literal: LiteralPattern?
    #if canImport(_FoundationICU)
    /// Compiled once; only ever cloned (under the lock), never matched on.
    private let template: OpaquePointer
    private let idle: Mutex<[Matcher]>

    /// An ICU matcher, owned by whoever took it from `idle`.
    private struct Matcher: @unchecked Sendable {
        let handle: OpaquePointer
    }
    #else
    private let regex: NSRegularExpression
    #endif

    /// The pattern (composed); nil when it does not compile. `literal: false` sends every search to the
    /// engine, for tests that hold the literal search to the engine's answers.
    init?(_ pattern: String, caseSensitive: Bool, literal: Bool = true) {
        self.literal = literal ? LiteralPattern(pattern, caseSensitive: caseSensitive) : nil
        #if canImport(_FoundationICU)
        let units = Array(pattern.utf16)
        var status = U_ZERO_ERROR
        let flags = caseSensitive ? 0 : UInt32(UREGEX_CASE_INSENSITIVE.rawValue)
        guard let compiled = swift_uregex_open(units, Int32(units.count), flags, nil, &status), status.rawValue <= U_ZERO_ERROR.rawValue else {
            return nil
        }
        template = compiled
        idle = Mutex([])
        #else
        guard let regex = try? NSRegularExpression(pattern: pattern, options: caseSensitive ? [] : [.caseInsensitive]) else { return nil }
        self.regex = regex
        #endif
    }

    #if canImport(_FoundationICU)
    deinit {
        idle.withLock { matchers in matchers.forEach { swift_uregex_close($0.handle) } }
        swift_uregex_close(template)
    }
    #endif

    /// True when the pattern matches somewhere in `text`, composed first.
    func matches(_ text: String) -> Bool {
        let answer = text.lendingUTF8 { bytes -> Bool? in
            let form = CriteriaText.form(bytes)
            return form.isPlain ? literal?.found(in: bytes, form: form) ?? found(in: bytes) : nil
        }
        if let answer { return answer }
        // Not plain (the scan above told): composed first, then searched by the engine.
        var composed = CriteriaText.composedNonPlain(text)
        return composed.withUTF8(found(in:))
    }

    /// True when the pattern matches somewhere in `bytes`, the UTF-8 of a composed text.
    private func found(in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        #if canImport(_FoundationICU)
        let matcher = idle.withLock { matchers -> Matcher? in
            if let matcher = matchers.popLast() { return matcher }
            var status = U_ZERO_ERROR
            let clone: OpaquePointer? = swift_uregex_clone(template, &status)
            return status.rawValue <= U_ZERO_ERROR.rawValue ? clone.map(Matcher.init) : nil
        }
        guard let matcher else { return false }
        defer { idle.withLock { $0.append(matcher) } }
        // UTF-16 never takes more units than UTF-8 takes bytes.
        return withUnsafeTemporaryAllocation(of: UInt16.self, capacity: max(bytes.count, 1)) { buffer in
            var index = 0
            var end = 0
            while index < bytes.count {
                let scalar = CriteriaText.scalar(in: bytes, at: &index)
                if scalar < 0x1_0000 {
                    buffer[end] = UInt16(scalar)
                    end += 1
                } else {
                    buffer[end] = 0xD800 | UInt16((scalar - 0x1_0000) >> 10)
                    buffer[end + 1] = 0xDC00 | UInt16(scalar & 0x3FF)
                    end += 2
                }
            }
            var status = U_ZERO_ERROR
            swift_uregex_setText(matcher.handle, buffer.baseAddress, Int32(end), &status)
            // The matcher keeps pointing at the buffer after this; it is only ever used here, text set first.
            return swift_uregex_find(matcher.handle, 0, &status) != 0 && status.rawValue <= U_ZERO_ERROR.rawValue
        }
        #else
        let text = String(decoding: bytes, as: UTF8.self)
        return regex.firstMatch(in: text, range: NSRange(location: 0, length: text.utf16.count)) != nil
        #endif
    }
}
