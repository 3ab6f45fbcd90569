import Foundation
import LeadGateCurl

/// Deliveries through libcurl: every outbound call of the gateway goes through one `CurlClient`.
public struct CurlTransport: DeliveryTransport {
    public let client: CurlClient

    public init(client: CurlClient) {
        self.client = client
    }

    public func post(_ request: OutboundRequest) async throws -> OutboundResponse {
        let response = try await client.perform(HTTPClientRequest(
            method: "POST", url: request.url, headers: request.headers, body: request.body, timeout: request.timeout
        ))
        return OutboundResponse(status: response.status, headers: response.headers, body: response.body)
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
