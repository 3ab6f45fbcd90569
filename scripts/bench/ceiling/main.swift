// The framework's ceiling for the ingest benchmark: a bare Hummingbird route that reads the POST body
// and answers 200, doing nothing else. Same machine, same run, same load as LeadGate's own route.
import Hummingbird

let port = Int(CommandLine.arguments.dropFirst().first ?? "") ?? 8090
let router = Router()
router.post("/ingest/:source") { request, _ -> HTTPResponse.Status in
    var request = request
    _ = try await request.collectBody(upTo: 1 << 20)
    return .ok
}
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
