import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// The real `leadgate` binary, started on a free loopback port with a temporary config and database.
final class GatewayProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched by the test that owns this value, one call at a time.
    static let adminToken = "e2e-admin-token-0123456789"

    let directory: URL
    private let ownsDirectory: Bool
    let configPath: String
    let port: Int
    private(set) var process: Process?
    private let stderrPath: String

    var baseURL: String { "http://127.0.0.1:\(port)" }
    var databasePath: String { directory.appendingPathComponent("leads.sqlite").path }

    /// Writes a config whose `sources:` block is `sources` (YAML, indented two spaces).
    init(
        sources: String = GatewayProcess.defaultSources, extra: String = "", directory: URL? = nil,
        tokens: [(name: String, token: String, role: String)] = [("e2e-admin", GatewayProcess.adminToken, "write")]
    ) throws {
        self.ownsDirectory = directory == nil
        self.directory = directory ?? FileManager.default.temporaryDirectory.appendingPathComponent("leadgate-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.directory, withIntermediateDirectories: true)
        port = try Self.freePort()
        configPath = self.directory.appendingPathComponent("leadgate.yaml").path
        stderrPath = self.directory.appendingPathComponent("stderr.log").path
        let config = """
            server:
              listen: 127.0.0.1:\(port)
              max_body: 64KiB
              default_region: IL
            store:
              sqlite: \(self.directory.appendingPathComponent("leads.sqlite").path)
            admin:
              tokens:
            \(tokens.map { "    - { name: \($0.name), token: \($0.token), role: \($0.role) }" }.joined(separator: "\n"))
            sources:
            \(sources)
            \(extra)
            """
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
    }

    static let defaultSources = """
          - name: website
            type: web_form
            honeypot: fax_number
        """

    /// The binary under test: $LEADGATE_BIN (set by `make test`), else the debug build next to the sources.
    static var binary: String {
        if let path = ProcessInfo.processInfo.environment["LEADGATE_BIN"] { return path }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/leadgate").path
    }

    /// Runs a one-shot command of the binary with this config; returns exit status, stdout and stderr.
    func command(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await Self.run(arguments + ["--config", configPath])
    }

    /// `execute` on a thread of its own, as `Chromium` runs the browser: the import of 100,000 rows waits tens of
    /// seconds for its command, which on a concurrency thread held one of the suite's two from every other test.
    static func run(_ arguments: [String]) async throws -> (status: Int32, stdout: String, stderr: String) {
        try await onThreadOfItsOwn { try execute(arguments) }
    }

    private static func execute(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stdout, as: UTF8.self), String(decoding: stderr, as: UTF8.self))
    }

    /// Starts `leadgate serve` and returns once `/healthz` answers.
    func start() async throws {
        FileManager.default.createFile(atPath: stderrPath, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["serve", "--config", configPath]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderrPath))
        try process.run()
        self.process = process
        // Wait for the server's readiness (an event, polled), bounded so a broken build fails instead of hanging.
        for _ in 0..<600 {
            if !process.isRunning {
                throw GatewayProcessError.exited(status: process.terminationStatus, stderr: log)
            }
            if let response = try? await HTTP.request("GET", baseURL + "/healthz"), response.status == 200 { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw GatewayProcessError.notReady(stderr: log)
    }

    var log: String {
        (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
    }

    /// SIGTERM, then waits for the exit; returns the exit status.
    @discardableResult
    func stop() -> Int32 {
        guard let process, process.isRunning else { return process?.terminationStatus ?? 0 }
        process.terminate()
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// SIGKILL: the crash.
    func kill9() {
        guard let process, process.isRunning else { return }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    deinit {
        if let process, process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        if ownsDirectory { try? FileManager.default.removeItem(at: directory) }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw GatewayProcessError.noPort }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        guard bound == 0 else { throw GatewayProcessError.noPort }
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw GatewayProcessError.noPort }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

enum GatewayProcessError: Error, CustomStringConvertible {
    case exited(status: Int32, stderr: String)
    case notReady(stderr: String)
    case noPort

    var description: String {
        switch self {
        case .exited(let status, let stderr): "leadgate exited with \(status):\n\(stderr)"
        case .notReady(let stderr): "leadgate did not become ready:\n\(stderr)"
        case .noPort: "no free port"
        }
    }
}

/// A response as the tests look at it.
struct HTTPResult: Sendable {
    var status: Int
    var headers: [String: String]
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }

    func json() throws -> [String: Any] {
        guard let object = try JSONSerialization.jsonObject(with: body) as? [String: Any] else {
            throw GatewayProcessError.exited(status: -1, stderr: "not a JSON object: \(text)")
        }
        return object
    }

    func header(_ name: String) -> String? {
        headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
    }
}

/// A small HTTP client for the tests that never follows redirects (a 303 must be seen as a 303).
enum HTTP {
    final class NoRedirects: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
        // @unchecked: stateless.
        func urlSession(
            _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
            newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
        ) {
            completionHandler(nil)
        }
    }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        configuration.httpMaximumConnectionsPerHost = 64
        return URLSession(configuration: configuration, delegate: NoRedirects(), delegateQueue: nil)
    }()

    static func request(_ method: String, _ url: String, headers: [String: String] = [:], body: Data? = nil) async throws -> HTTPResult {
        guard let target = URL(string: url) else { throw URLError(.badURL) }
        var request = URLRequest(url: target)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.httpBody = body
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else { throw URLError(.badServerResponse) }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name] = value }
        }
        return HTTPResult(status: http.statusCode, headers: fields, body: data)
    }

    static func form(_ pairs: [(String, String)]) -> Data {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._*")
        return Data(pairs.map { key, value in
            let k = key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key
            let v = value.addingPercentEncoding(withAllowedCharacters: allowed) ?? value
            return "\(k)=\(v)"
        }.joined(separator: "&").utf8)
    }

    static let formType = ["Content-Type": "application/x-www-form-urlencoded"]
    static let admin = ["Authorization": "Bearer \(GatewayProcess.adminToken)"]
}
