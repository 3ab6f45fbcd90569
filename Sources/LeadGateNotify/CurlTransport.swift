import Foundation
import LeadGateCurl

/// Deliveries through libcurl: every outbound call of the gateway goes through one `CurlClient`.
public struct CurlTransport: DeliveryTransport {
    public let client: CurlClient

    public init(client: CurlClient) {
        self.client = client
    }

    public func start(_ request: OutboundRequest, completion: @escaping @Sendable (Result<OutboundResponse, any Error>) -> Void) {
        let request = HTTPClientRequest(method: "POST", url: request.url, headers: request.headers, body: request.body, timeout: request.timeout)
        client.start(request) { result in
            completion(result.map { OutboundResponse(status: $0.status, headers: $0.headers, body: $0.body) }.mapError { $0 })
        }
    }

    public func send(_ mail: OutboundMail) async throws {
        guard let from = MailAddress(mail.from) else { throw CurlError.invalidArgument("the sender '\(mail.from)' is not a plain address") }
        let recipients = try mail.recipients.map { text in
            guard let address = MailAddress(text) else { throw CurlError.invalidArgument("the recipient '\(text)' is not a plain address") }
            return address
        }
        let server = MailServer(url: mail.server, username: mail.username, password: mail.password, timeout: mail.timeout)
        try await client.sendMail(SMTPMessage(from: from, recipients: recipients, data: mail.message), via: server)
    }
}
