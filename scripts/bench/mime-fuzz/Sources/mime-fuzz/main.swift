// Random and mutated mail through the MIME parser and the email adapter for a fixed time with a fixed seed:
// no input may crash or hang them. A crashing input is written to the output folder before the process dies
// (a signal handler), a hanging one by a watchdog; add either to Tests/LeadGateSourceKitTests/MIMEFuzzRegressionTests.swift.
// Usage: mime-fuzz [--seconds 60] [--seed 24301] [--out crashes] [--fixtures DIR] [--hang-seconds 10]
//        mime-fuzz --replay FILE...
import EmailSource
import Foundation
import LeadGateCore
import LeadGateSourceKit
import MIMECorpus
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

// MARK: - options

/// Writes `text` to standard error (write(2): no shared FILE state between the main thread and the watchdog).
func complain(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(2, $0.baseAddress, $0.count) }
}

var options: [String: String] = [:]
var replay: [String] = []
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    if argument == "--replay" {
        replay = Array(arguments)
        break
    }
    guard argument.hasPrefix("--"), let value = arguments.popFirst() else {
        complain("usage: mime-fuzz [--seconds N] [--seed N] [--out DIR] [--fixtures DIR] [--hang-seconds N] | --replay FILE...\n")
        exit(2)
    }
    options[String(argument.dropFirst(2))] = value
}
let seconds = options["seconds"].flatMap(Double.init) ?? 60
let seed = options["seed"].flatMap(UInt64.init) ?? 24_301
let outputDirectory = options["out"] ?? "crashes"
let hangSeconds = options["hang-seconds"].flatMap(Int.init) ?? 10
let maxInput = 256 * 1024

// MARK: - what a crash leaves behind

/// The input being run, where a signal handler can reach it: filled before each run, read only when dying.
/// `nonisolated(unsafe)` because a signal handler cannot take a lock; the main thread is the only writer.
nonisolated(unsafe) let currentInput = UnsafeMutablePointer<UInt8>.allocate(capacity: maxInput)
nonisolated(unsafe) var currentLength = 0
/// Paths as C strings made before any signal can arrive (a handler must not allocate).
nonisolated(unsafe) let crashPath = strdup("\(outputDirectory)/crash-seed\(seed).eml")
nonisolated(unsafe) let hangPath = strdup("\(outputDirectory)/hang-seed\(seed).eml")
/// Runs finished; the watchdog calls it a hang when this stops moving.
let finishedRuns = Atomic<Int>(0)

func saveCurrentInput(to path: UnsafeMutablePointer<CChar>?) {
    guard let path else { return }
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else { return }
    _ = write(descriptor, currentInput, currentLength)
    close(descriptor)
}

let crashHandler: @convention(c) (Int32) -> Void = { signal in
    saveCurrentInput(to: crashPath)
    let note: StaticString = "mime-fuzz: crashed; the input is saved in the output folder (crash-seed*.eml)\n"
    _ = write(2, note.utf8Start, note.utf8CodeUnitCount)
    Glibc.signal(signal, SIG_DFL)
    raise(signal)
}

// MARK: - what is run

let receivedAt = Date(timeIntervalSince1970: 1_795_860_000)

func makeSource(_ entries: [(String, String)]) throws -> EmailSource {
    let mark = ConfigMark(file: "fuzz", line: 1, column: 1)
    let block = ConfigValue.mapping(entries.map { ConfigEntry(key: $0.0, keyMark: mark, value: .scalar($0.1, mark, quoted: false)) }, mark)
    return try EmailSource(name: "fuzz", config: ConfigSection(block, path: "fuzz", diagnostics: ConfigDiagnostics()), services: SourceServices())
}

let fuzzSecret = "fuzz-secret-0123456789"
let rawSource = try makeSource([("secret", fuzzSecret)])
let sendGrid = try makeSource([("provider", "sendgrid"), ("secret", fuzzSecret)])
let mailgun = try makeSource([("provider", "mailgun"), ("signing_key", "fuzz-key")])
let postmark = try makeSource([("provider", "postmark"), ("username", "u"), ("password", "p")])

/// Every reader the input can reach: the parser and its decoders, and the adapter's four intake paths.
func exercise(_ bytes: [UInt8]) async {
    if let message = try? MIMEMessage(parsing: bytes) {
        _ = message.bodyText()
        for part in message.parts {
            _ = part.filename
            _ = message.text(of: part)
        }
        for name in ["Subject", "From", "Reply-To", "Date", "Message-ID", "Content-Type"] {
            _ = message.headerText(name)
            if let raw = message.headerValue(name) {
                _ = MIMEMailbox.list(parsing: raw)
                _ = MIMEDate.parse(raw)
                _ = MIMEParameterizedValue(parsing: raw)
            }
        }
    }
    let text = String(decoding: bytes, as: UTF8.self)
    _ = HTMLText.plainText(fromHTML: text)
    _ = MIMEEncodedWord.decode(text)
    _ = try? rawSource.drafts(fromMIME: bytes, receivedAt: receivedAt)
    let basic = "Basic " + Data("u:p".utf8).base64EncodedString()
    let requests: [(EmailSource, String, [(String, String)])] = [
        (rawSource, "message/rfc822", []),
        (sendGrid, "multipart/form-data; boundary=xYzZY", []),
        (mailgun, "multipart/form-data; boundary=xYzZY", []),
        (mailgun, "application/x-www-form-urlencoded", []),
        (postmark, "application/json", [("Authorization", basic)]),
    ]
    for (source, type, headers) in requests {
        let request = InboundRequest(
            method: "POST", path: "/ingest/fuzz", query: [(name: "key", value: fuzzSecret)],
            headers: [(name: "Content-Type", value: type)] + headers.map { (name: $0.0, value: $0.1) }, body: bytes, receivedAt: receivedAt)
        _ = try? await source.receive(request)
    }
}

// MARK: - inputs

/// Hand-written seeds for the corners the generator does not reach.
let edgeSeeds: [String] = [
    "Content-Type: multipart/mixed; boundary=a\r\n\r\n--a\r\nContent-Type: multipart/alternative; boundary=b\r\n\r\n--b\r\n\r\nx\r\n--a--\r\n",
    "Content-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: =?utf-8?q?a?= =?utf-8?b?YQ?=\r\n\r\nbody\r\n--d--",
    "From: \"=?windows-1255?B?4Pr4IOD37uQ=?=\" <a@b.co>, (c) d@e.co, g: h@i.co;\r\nDate: Sat, 28 Nov 26 09:15 EST\r\n\r\nName: x",
    "Content-Type: text/html; charset=utf-8\r\n\r\n<table><tr><td>Name</td><td>&#x5D0;&amp;&nbsp;</td></tr><script>x</script><!-- c -->",
    "Content-Disposition: attachment; filename*0*=utf-8''%D7%90; filename*1=b; filename*2*=%ZZ\r\n\r\nx",
    "Content-Type: text/plain; charset=x-unknown\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=F9=ec=\r\n=\r\n==",
    "Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\nContent-Type: multipart/mixed; boundary=z\r\n\r\n--z\r\n\r\n--z--",
    "--xYzZY\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nSubject: raw\r\n\r\nName: a\r\n--xYzZY--\r\n",
    "{\"FromFull\":{\"Email\":\"a@b.co\"},\"Headers\":[{\"Name\":\"Message-ID\",\"Value\":\"<x>\"}],\"HtmlBody\":\"<td>a</td>\"}",
]

/// Byte strings that mean something to one of the readers.
let tokens: [[UInt8]] = [
    "\r\n", "\r\n\r\n", "\n", "\r", "--", "--xYzZY", "--xYzZY--", "=?utf-8?b?", "=?windows-1255?q?", "?=", "=?", "=\r\n", "=3D", "=e9", "=",
    "Content-Type: multipart/mixed; boundary=x\r\n", "\r\n--x\r\n", "\r\n--x--\r\n", "Content-Transfer-Encoding: base64\r\n",
    "Content-Transfer-Encoding: quoted-printable\r\n", "Content-Type: message/rfc822\r\n", "Content-Type: multipart/digest; boundary=",
    "charset=", "charset=\"koi8-r\"", "filename*0*=utf-8''%D7", "; name*1=", "<table><tr><td>", "</td><td>", "&#x5D0;", "&#", "&amp",
    "<!--", "<script>", "</", "<", ">", "From: \"=?utf-8?b?\" <", "Date: Sat, 31 Feb 2026 25:61:61 +9999\r\n", "(", ")", "\\", "\"", ":",
    "\t", " ", "Name: ", "הודעה: ", "\u{200F}", "Auto-Submitted: auto-replied\r\n", "Reply-To: ", "@", "\u{0}", "\u{FEFF}",
    "Content-Disposition: form-data; name=\"email\"\r\n", "{\"", "\":", "[", "]", "timestamp=1&token=2&signature=3&body-mime=",
].map { Array($0.utf8) } + [[0xFF], [0x80], [0xC3], [0xE2, 0x80], [0xF9, 0xEC, 0xE5, 0xED]]

var random = SplitMix64(seed: seed)

func mutate(_ input: [UInt8], seeds: [[UInt8]], random: inout SplitMix64) -> [UInt8] {
    var bytes = input
    for _ in 0..<Int.random(in: 1...4, using: &random) {
        let position = bytes.isEmpty ? 0 : Int.random(in: 0...bytes.count, using: &random)
        switch Int.random(in: 0..<10, using: &random) {
        case 0 where !bytes.isEmpty:
            let index = Int.random(in: 0..<bytes.count, using: &random)
            bytes[index] ^= UInt8(1) << UInt8.random(in: 0...7, using: &random)
        case 1 where !bytes.isEmpty:
            let index = Int.random(in: 0..<bytes.count, using: &random)
            bytes[index] = tokens[Int.random(in: 0..<tokens.count, using: &random)].first ?? 0
        case 2, 3:
            bytes.insert(contentsOf: tokens[Int.random(in: 0..<tokens.count, using: &random)], at: position)
        case 4 where !bytes.isEmpty:
            let start = Int.random(in: 0..<bytes.count, using: &random)
            bytes.removeSubrange(start..<min(bytes.count, start + Int.random(in: 1...max(1, bytes.count / 4), using: &random)))
        case 5 where !bytes.isEmpty:
            let start = Int.random(in: 0..<bytes.count, using: &random)
            let chunk = bytes[start..<min(bytes.count, start + Int.random(in: 1...512, using: &random))]
            bytes.insert(contentsOf: chunk, at: position)
        case 6:
            let other = seeds[Int.random(in: 0..<seeds.count, using: &random)]
            guard !other.isEmpty else { break }
            let start = Int.random(in: 0..<other.count, using: &random)
            bytes.insert(contentsOf: other[start..<min(other.count, start + Int.random(in: 1...4_096, using: &random))], at: position)
        case 7 where !bytes.isEmpty:
            bytes.removeSubrange(Int.random(in: 0..<bytes.count, using: &random)...)
        case 8 where !bytes.isEmpty:
            // One line repeated: deep nesting, many parts, long headers.
            let start = bytes[..<min(position, bytes.count)].lastIndex(of: 0x0A).map { $0 + 1 } ?? 0
            let end = bytes[start...].firstIndex(of: 0x0A).map { $0 + 1 } ?? bytes.count
            let line = Array(bytes[start..<end])
            for _ in 0..<Int.random(in: 2...400, using: &random) where bytes.count + line.count <= maxInput { bytes.insert(contentsOf: line, at: end) }
        case 9:
            bytes.removeAll { $0 == 0x0D }
        default:
            bytes.insert(contentsOf: tokens[0], at: position)
        }
        if bytes.count > maxInput { bytes.removeSubrange(maxInput...) }
    }
    return bytes
}

func load(_ path: String) -> [UInt8]? {
    FileManager.default.contents(atPath: path).map { Array($0) }
}

func run(_ bytes: [UInt8]) async {
    let length = min(bytes.count, maxInput)
    bytes.withUnsafeBufferPointer { buffer in
        if let base = buffer.baseAddress { currentInput.update(from: base, count: length) }
    }
    currentLength = length
    await exercise(Array(bytes.prefix(length)))
    finishedRuns.add(1, ordering: .relaxed)
}

if !replay.isEmpty {
    for path in replay {
        guard let bytes = load(path) else {
            complain("mime-fuzz: cannot read \(path)\n")
            exit(2)
        }
        let started = ContinuousClock.now
        await run(bytes)
        print("\(path): ok, \(bytes.count) bytes in \(ContinuousClock.now - started)")
    }
    exit(0)
}

try FileManager.default.createDirectory(atPath: outputDirectory, withIntermediateDirectories: true)
for signal in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] { Glibc.signal(signal, crashHandler) }

var generator = CorpusGenerator(seed: seed)
var seeds = generator.corpus(count: 200).map(\.bytes).filter { $0.count <= maxInput / 2 } + edgeSeeds.map { Array($0.utf8) }
if let folder = options["fixtures"], let names = try? FileManager.default.contentsOfDirectory(atPath: folder) {
    seeds += names.sorted().compactMap { load("\(folder)/\($0)") }
}

let watchdog = Thread {
    var last = -1
    var still = 0
    while true {
        Thread.sleep(forTimeInterval: 1)
        let now = finishedRuns.load(ordering: .relaxed)
        still = now == last ? still + 1 : 0
        last = now
        if still >= hangSeconds {
            saveCurrentInput(to: hangPath)
            complain("mime-fuzz: one input ran for more than \(hangSeconds) s; saved in the output folder (hang-seed*.eml)\n")
            abort()
        }
    }
}
watchdog.start()

let clock = ContinuousClock()
let deadline = clock.now + .milliseconds(Int64(seconds * 1000))
var recent: [[UInt8]] = []
var runs = 0
var inputBytes = 0
var slowest: (nanosecondsPerKB: Double, input: [UInt8]) = (0, [])
for seedInput in seeds { await run(seedInput) }
while clock.now < deadline {
    // Mostly fresh mutants of the seeds; some of earlier mutants, to go deeper.
    let base = !recent.isEmpty && Int.random(in: 0..<3, using: &random) == 0
        ? recent[Int.random(in: 0..<recent.count, using: &random)] : seeds[Int.random(in: 0..<seeds.count, using: &random)]
    let input = mutate(base, seeds: seeds, random: &random)
    let start = clock.now
    await run(input)
    let elapsed = clock.now - start
    let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
    // Per kilobyte of inputs from 16 KB up: a superlinear reader shows there, while small inputs only measure
    // fixed costs (and the odd first load of a charset module).
    let perKB = nanoseconds / Double(input.count / 1024)
    if input.count >= 16 * 1024, perKB > slowest.nanosecondsPerKB { slowest = (perKB, input) }
    if recent.count < 64 { recent.append(input) } else { recent[runs % 64] = input }
    runs += 1
    inputBytes += input.count
}
// Kept for a look (`--replay`): a reader that is slow on it may be superlinear.
FileManager.default.createFile(atPath: "\(outputDirectory)/slowest-seed\(seed).eml", contents: Data(slowest.input))
print(
    "mime-fuzz: seed \(seed), \(runs) mutated inputs (\(inputBytes / 1_048_576) MB) in \(Int(seconds)) s, \(seeds.count) seeds: no crash, no hang; "
        + "slowest \(String(format: "%.2f", slowest.nanosecondsPerKB / 1e6)) ms per KB (\(slowest.input.count) bytes, saved as slowest-seed\(seed).eml)")
