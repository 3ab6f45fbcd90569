// The intake without HTTP, for scripts/bench/intake.sh: N urlencoded submissions to the config's `website` source,
// read by its adapter and committed through the real pipeline (normalize, qualify, identify, assign, SQLite) in
// transactions of exactly K leads (one caller: each `process` call of K drafts is one commit), so that a count of
// instructions per lead is the same from run to run. The leads are the wrk script's (scripts/bench/post.lua).
// Usage: leadgate-bench-intake CONFIG N [K]   (K defaults to 10, about what the group committer gathers at 64 connections)
import Foundation
import LeadGateServer
import LeadGateSourceKit

let arguments = CommandLine.arguments
guard arguments.count >= 3, let total = Int(arguments[2]), total > 0 else {
    FileHandle.standardError.write(Data("usage: leadgate-bench-intake CONFIG N [K]\n".utf8))
    exit(64)
}
let perCommit = arguments.count > 3 ? max(1, Int(arguments[3]) ?? 10) : 10
let config = try ConfigLoader.load(path: arguments[1])
guard let source = config.source(named: "website") else {
    FileHandle.standardError.write(Data("\(arguments[1]) has no source named website\n".utf8))
    exit(64)
}
let gateway = try await Gateway(config: config)
// Distinct emails in every run, as post.lua makes them; phones from a counter.
let prefix = "i\(Int(Date().timeIntervalSince1970))x\(Int.random(in: 0..<1_000_000_000))"
func body(_ index: Int) -> [UInt8] {
    let phone = String(format: "%07d", index % 10_000_000)
    return Array(("name=%D7%93%D7%A0%D7%94+%D7%9B%D7%94%D7%9F&email=u\(prefix)n\(index)%40bench.example&phone=054-\(phone)"
        + "&company=Acme&message=%D7%A9%D7%9C%D7%95%D7%9D&utm_source=bench").utf8)
}
var next = 0
while next < total {
    var drafts: [LeadDraft] = []
    var last: InboundRequest?
    for index in next..<min(total, next + perCommit) {
        let request = InboundRequest(
            method: "POST", path: "/ingest/website", headers: [("Content-Type", "application/x-www-form-urlencoded")], body: body(index),
            receivedAt: Date())
        // Each touch keeps its own body, as the server stores it (one `process` call takes one request's payload for
        // drafts without their own, as the CSV importer's drafts are given theirs).
        for var draft in try await source.adapter.receive(request) {
            draft.rawPayload = draft.rawPayload ?? request.body
            drafts.append(draft)
        }
        last = request
    }
    if let last { _ = try await gateway.pipeline.process(drafts, from: source, request: last) }
    next += perCommit
}
print("committed \(total) leads")
