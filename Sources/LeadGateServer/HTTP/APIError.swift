import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import LeadGateCore

/// An error answered as `{"error": {"code": ..., "message": ...}}` with its status.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: String, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json; charset=utf-8"
        let body = JSONBody.encode(["error": ["code": code, "message": message]])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "not_found", message: message) }
    static func badRequest(_ message: String, code: String = "bad_request") -> APIError { APIError(.badRequest, code: code, message: message) }
}

/// JSON bodies of responses, through the one coder setup.
enum JSONBody {
    static func encode(_ value: some Encodable) -> [UInt8] {
        (try? Array(LeadJSON.encoder().encode(value))) ?? Array(#"{"error":{"code":"internal","message":"cannot encode the response"}}"#.utf8)
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: encode(value))))
    }
}

/// Turns the framework's own errors (unknown route, body over the limit) into the JSON error shape.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch let error as HTTPError {
            switch error.status {
            case .notFound:
                throw APIError(.notFound, code: "not_found", message: "no route for \(request.method) \(request.uri.path)")
            case .methodNotAllowed:
                throw APIError(.methodNotAllowed, code: "method_not_allowed", message: "\(request.method) is not allowed on \(request.uri.path)")
            case .contentTooLarge:
                throw APIError(.contentTooLarge, code: "payload_too_large", message: error.body ?? "the request body is too large")
            default:
                throw APIError(error.status, code: "http_\(error.status.code)", message: error.body ?? error.status.reasonPhrase)
            }
        } catch is NIOTooManyBytesError {
            throw APIError(.contentTooLarge, code: "payload_too_large", message: "the request body is larger than server.max_body")
        } catch let error as HTTPResponseError {
            throw error
        } catch {
            context.logger.error("unhandled error: \(String(describing: type(of: error)))")
            throw APIError(.internalServerError, code: "internal", message: "internal error; see the server log")
        }
    }
}
