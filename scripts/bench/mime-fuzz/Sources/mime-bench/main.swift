// Throughput of MIME parsing on one core: a generated corpus of varied mail (form mails in nine charsets,
// letters, forwards, threads, HTML-only tables, attachments from 1 KB to 512 KB), against a baseline that
// only scans the same bytes for the CRLFCRLF ending the headers.
// Usage: mime-bench [messages] [--keep-converters]   (default 10,000 messages)
//
// --keep-converters holds one iconv converter per legacy charset of the corpus open for the whole run. glibc
// unloads a charset's module when its last converter closes and more than three are in turn, so decoding that
// opens a converter per call (Charset.decode) reloads the module for nearly every message of a mixed-charset
// corpus; the option shows what a converter cache would save.
import EmailSource
import Foundation
import LeadGateCore
import LeadGateSourceKit
import MIMECorpus

#if canImport(Glibc)
import Glibc
#endif

let target = 50.0  // MB/s of mail
let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 10_000
if CommandLine.arguments.contains("--keep-converters") {
    for name in ["CP1255", "ISO-8859-8", "KOI8-R", "CP1251", "WINDOWS-31J", "GB18030", "BIG5-HKSCS", "ISO-8859-15", "CP1252"] {
        _ = iconv_open("UTF-8", name)
    }
}

var generator = CorpusGenerator(seed: 0x1EAD_6A7E)
let corpus = generator.corpus(count: count)
let messages = corpus.map(\.bytes)
let withoutAttachments = corpus.filter { ![.mixedWithAttachment, .largeAttachment, .relatedInlineImage].contains($0.kind) }.map(\.bytes)
let receivedAt = Date(timeIntervalSince1970: 1_795_860_000)

/// The adapter as configured in production (the raw-MIME provider; the secret is not used on this path).
func makeSource() throws -> EmailSource {
    let mark = ConfigMark(file: "bench", line: 1, column: 1)
    let block = ConfigValue.mapping([ConfigEntry(key: "secret", keyMark: mark, value: .scalar("bench-secret-0123456789", mark, quoted: false))], mark)
    return try EmailSource(name: "bench", config: ConfigSection(block, path: "bench", diagnostics: ConfigDiagnostics()), services: SourceServices())
}

let source = try makeSource()

/// CPU time of this thread, so that other processes on the same core do not count against the parser.
func threadSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// The median of five timed passes over `set` (after one untimed), and a checksum that keeps the work alive.
func measure(_ set: [[UInt8]], _ body: ([UInt8]) -> Int) -> (seconds: Double, checksum: Int) {
    var times: [Double] = []
    var checksum = 0
    for round in 0..<6 {
        let start = threadSeconds()
        for message in set { checksum &+= body(message) }
        if round > 0 { times.append(threadSeconds() - start) }
    }
    return (times.sorted()[times.count / 2], checksum)
}

/// What a plain scan costs: every byte compared, looking for the blank line after the headers.
@inline(never)
func scanForHeaderEnd(_ message: [UInt8]) -> Int {
    message.withUnsafeBufferPointer { bytes in
        var found = 0
        var index = 0
        while index + 3 < bytes.count {
            if bytes[index] == 0x0D, bytes[index + 1] == 0x0A, bytes[index + 2] == 0x0D, bytes[index + 3] == 0x0A { found &+= 1 }
            index += 1
        }
        return found
    }
}

func parse(_ message: [UInt8]) -> Int {
    guard let parsed = try? MIMEMessage(parsing: message) else { return 0 }
    let body = parsed.bodyText()
    return parsed.parts.count &+ (body.plain?.utf8.count ?? 0) &+ (body.html?.utf8.count ?? 0)
}

func drafts(_ message: [UInt8]) -> Int {
    ((try? source.drafts(fromMIME: message, receivedAt: receivedAt)) ?? []).reduce(0) { $0 &+ $1.fields.count }
}

// The corpus must really be mail: every message parses and gives a draft with fields.
let empty = messages.filter { drafts($0) == 0 }.count
guard empty == 0 else {
    print("corpus: \(empty) messages gave no fields; the generator or the parser is broken")
    exit(2)
}

let megabytes = Double(messages.reduce(0) { $0 + $1.count }) / 1_048_576
let textMegabytes = Double(withoutAttachments.reduce(0) { $0 + $1.count }) / 1_048_576
print(
    "corpus:   \(messages.count) messages, \(String(format: "%.1f", megabytes)) MB (\(withoutAttachments.count) without attachments: "
        + "\(String(format: "%.1f", textMegabytes)) MB), \(MessageKind.allCases.count) kinds")

func report(_ name: String, _ set: [[UInt8]], _ size: Double, _ result: (seconds: Double, checksum: Int), baseline: Double?) -> Double {
    let rate = size / result.seconds
    let perSecond = Double(set.count) / result.seconds
    let ratio = baseline.map { String(format: "; %.1f× the baseline's time", rate > 0 ? $0 / rate : 0) } ?? ""
    print(
        "\(name.padding(toLength: 34, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", rate)) MB/s  \(String(format: "%9.0f", perSecond)) messages/s\(ratio)")
    return rate
}

let baseline = report("baseline (scan for CRLFCRLF)", messages, megabytes, measure(messages, scanForHeaderEnd), baseline: nil)
let parsing = report("MIME parse + body text", messages, megabytes, measure(messages, parse), baseline: baseline)
let adapter = report("EmailSource.drafts(fromMIME:)", messages, megabytes, measure(messages, drafts), baseline: baseline)
let textBaseline = report("baseline, no attachments", withoutAttachments, textMegabytes, measure(withoutAttachments, scanForHeaderEnd), baseline: nil)
_ = report("MIME parse + body text, no att.", withoutAttachments, textMegabytes, measure(withoutAttachments, parse), baseline: textBaseline)
_ = report("drafts, no attachments", withoutAttachments, textMegabytes, measure(withoutAttachments, drafts), baseline: textBaseline)

let met = parsing >= target && adapter >= target
print("target:   \(Int(target)) MB/s of mail, parsing and through drafts(fromMIME:), over the whole corpus — \(met ? "met" : "MISSED")")
exit(met ? 0 : 1)
