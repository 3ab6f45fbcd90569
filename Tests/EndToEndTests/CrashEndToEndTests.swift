import Foundation
import Synchronization
import Testing

/// Nothing acknowledged is lost: `kill -9` in the middle of a concurrent load, restart, and every lead
/// that got a 200 is there, none twice.
@Suite struct CrashEndToEndTests {
    @Test func killNineMidLoadLosesNoAcknowledgedLead() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = try GatewayProcess(directory: directory)
        try await first.start()

        let acknowledged = AcknowledgedLeads()
        let killAfter = 300
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<16 {
                group.addTask {
                    for index in 0..<10_000 {
                        let email = "w\(worker)-\(index)@crash.example"
                        let body = HTTP.form([("name", "עובד \(worker)"), ("email", email), ("phone", "054-\(1_000_000 + worker * 10_000 + index)")])
                        guard let response = try? await HTTP.request("POST", first.baseURL + "/ingest/website", headers: HTTP.formType, body: body),
                              response.status == 200,
                              let id = (try? response.json()["leads"] as? [[String: Any]])??.first?["id"] as? String
                        else { return }
                        let count = acknowledged.record(email: email, id: id)
                        if count == killAfter { first.kill9() }
                    }
                }
            }
        }
        let acked = acknowledged.all
        #expect(acked.count >= killAfter)

        let second = try GatewayProcess(directory: directory)
        try await second.start()
        defer { second.stop() }
        var stored: [String: [String]] = [:] // email → lead ids
        var cursor: String?
        repeat {
            let url = second.baseURL + "/api/leads?limit=500" + (cursor.map { "&cursor=\($0)" } ?? "")
            let page = try await HTTP.request("GET", url, headers: HTTP.admin).json()
            for lead in page["leads"] as? [[String: Any]] ?? [] {
                let email = (lead["contact"] as? [String: Any])?["email"] as? String ?? ""
                stored[email, default: []].append(lead["id"] as? String ?? "")
            }
            cursor = page["next"] as? String
        } while cursor != nil
        for (email, id) in acked {
            #expect(stored[email] == [id], "acknowledged lead \(email) must be stored exactly once")
        }
        #expect(stored.values.allSatisfy { $0.count == 1 }, "no lead is stored twice")
    }
}

/// Email → lead id of every submission that got a 200, shared by the load workers.
final class AcknowledgedLeads: Sendable {
    private let map = Mutex<[String: String]>([:])

    /// Records one acknowledgement; returns how many there are now.
    func record(email: String, id: String) -> Int {
        map.withLock { map in
            map[email] = id
            return map.count
        }
    }

    var all: [String: String] { map.withLock { $0 } }
}
