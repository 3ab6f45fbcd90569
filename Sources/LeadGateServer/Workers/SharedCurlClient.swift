import LeadGateCurl
import LeadGateSourceKit
import Synchronization

/// The gateway's one libcurl client, started on first use: `check-config` and the CLI's read commands never
/// start its thread; the gateway's workers (platform fetches, IMAP polls, notifications) share its connections.
public final class SharedCurlClient: HTTPFetching, Sendable {
    private let state = Mutex<CurlClient?>(nil)
    private let configuration: CurlConfiguration

    public init(configuration: CurlConfiguration = CurlConfiguration()) {
        self.configuration = configuration
    }

    /// The client, started now if it was not yet.
    public func client() throws(CurlError) -> CurlClient {
        try state.withLock { (client: inout CurlClient?) throws(CurlError) -> CurlClient in
            if let client { return client }
            let started = try CurlClient(configuration: configuration)
            client = started
            return started
        }
    }

    /// Stops the client if it was started; a later call starts a new one.
    public func shutdown() async {
        let client = state.withLock { client in
            defer { client = nil }
            return client
        }
        await client?.shutdown()
    }

    public func get(url: String, headers: [(name: String, value: String)]) async throws -> (status: Int, body: [UInt8]) {
        let response = try await client().perform(HTTPClientRequest(method: "GET", url: url, headers: headers))
        return (response.status, response.body)
    }
}
