// Parses every vendor sample payload (../shared/fixtures/vendor/*.json, or the folder given) over and over with the
// gateway's JSONParser and, as the baseline in the same run, with Foundation's JSONSerialization.
// Usage: json-bench FOLDER [rounds]   (default 20,000 rounds over the folder's documents)
import Foundation
import LeadGateCore

let folder = CommandLine.arguments.dropFirst().first ?? "../shared/fixtures/vendor"
let rounds = CommandLine.arguments.dropFirst(2).first.flatMap(Int.init) ?? 20_000
let names = (try? FileManager.default.contentsOfDirectory(atPath: folder))?.filter { $0.hasSuffix(".json") }.sorted() ?? []
let documents = names.compactMap { FileManager.default.contents(atPath: folder + "/" + $0) }.map { [UInt8]($0) }
guard !documents.isEmpty else {
    print("no .json documents in \(folder)")
    exit(2)
}

/// CPU time of this thread, so that other processes on the same core do not count.
func threadSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

/// Seconds for `rounds` passes of `parse` over every document, and how many top-level members it counted (which
/// must be the same for both parsers: they read the same documents).
func measure(_ parse: ([UInt8]) throws -> Int) rethrows -> (seconds: Double, members: Int) {
    var members = 0
    for document in documents { members &+= try parse(document) }  // warm-up, and the count to compare
    let start = threadSeconds()
    for _ in 0..<rounds {
        for document in documents { _ = try parse(document) }
    }
    return (threadSeconds() - start, members)
}

let gateway = try measure { bytes in
    guard case .object(let members) = try JSONParser.parse(bytes) else { return 0 }
    return members.count
}
let foundation = try measure { bytes in
    (try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])?.count ?? 0
}
let parses = Double(rounds * documents.count)
let bytes = documents.map(\.count).reduce(0, +)
print("documents: \(documents.count) (\(bytes) bytes) from \(folder); top-level members \(gateway.members) and \(foundation.members)")
print("JSONParser:         \(String(format: "%.2f", gateway.seconds / parses * 1e6)) µs per document")
print("JSONSerialization:  \(String(format: "%.2f", foundation.seconds / parses * 1e6)) µs per document")
print("ratio:              JSONParser takes \(String(format: "%.2f", gateway.seconds / foundation.seconds)) of JSONSerialization's time")
exit(gateway.members == foundation.members ? 0 : 1)
