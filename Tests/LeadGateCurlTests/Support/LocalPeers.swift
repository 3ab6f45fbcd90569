import Foundation

/// Why a local peer could not start, with what it printed.
struct PeerError: Error, CustomStringConvertible {
    var description: String
}

/// Runs blocking `work` (starting or stopping a process) on a thread of its own, so that it does not hold one of
/// the few Swift concurrency threads the other tests run on.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try work() }) }.start()
    }
}

/// A fresh folder under the temp directory that other users can enter (dovecot's processes run as nobody/dovecot).
struct TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("leadgate-curl-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// A child process started with a clean signal mask and default handlers.
///
/// Foundation's `Process` spawns from the calling thread, and Swift's concurrency threads block most signals:
/// a child started that way inherits the mask and never sees SIGTERM, so it could not be stopped.
struct ChildProcess: Sendable {
    let pid: pid_t

    /// Starts `arguments` (the program looked up on PATH), its stdout and stderr to the given descriptors.
    init(_ arguments: [String], stdout: Int32, stderr: Int32) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        posix_spawn_file_actions_adddup2(&actions, stderr, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let result = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, environ)
        guard result == 0 else { throw PeerError(description: "cannot start \(arguments[0]): \(String(cString: strerror(result)))") }
        self.pid = pid
    }

    func terminate() {
        kill(pid, SIGTERM)
    }

    /// Waits for the child to end; true when it exited with status 0.
    @discardableResult
    func wait() -> Bool {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        return status == 0
    }
}

/// Opens `path` for a child's output, close-on-exec so that no other child started meanwhile inherits it
/// (a daemon holding it open would never let it go).
func openOutputFile(_ path: String) throws -> Int32 {
    let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw PeerError(description: "cannot open \(path): \(String(cString: strerror(errno)))") }
    return descriptor
}

/// Runs `arguments` (looked up on PATH) to the end with its output in `log`; throws with that output when it fails.
func runCommand(_ arguments: [String], log: String) throws {
    let descriptor = try openOutputFile(log)
    defer { close(descriptor) }
    let child = try ChildProcess(arguments, stdout: descriptor, stderr: descriptor)
    guard child.wait() else {
        let printed = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        throw PeerError(description: "\(arguments.joined(separator: " ")) failed: \(printed)")
    }
}

/// A port on 127.0.0.1 held by a bound socket that does not listen: connecting to it is refused, and the kernel
/// hands it to nobody else meanwhile, not even as the source port of an outgoing connection (a port merely
/// found free and closed again can come back as one, and curl then connects to itself).
/// With SO_REUSEADDR, a server that also sets it (dovecot does) can still listen on it.
final class ReservedPort: Sendable {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw PeerError(description: "socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
            }
        }
        guard bound else {
            close(descriptor)
            throw PeerError(description: "bind: \(String(cString: strerror(errno)))")
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit {
        close(descriptor)
    }
}

/// A self-signed certificate for 127.0.0.1, made with the openssl tool.
struct TestCertificate: Sendable {
    let certificatePath: String
    let keyPath: String

    static func make(in folder: TemporaryFolder) async throws -> TestCertificate {
        try await offPool { try TestCertificate(in: folder) }
    }

    private init(in folder: TemporaryFolder) throws {
        certificatePath = folder.file("cert.pem")
        keyPath = folder.file("key.pem")
        try runCommand([
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
            "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", keyPath, "-out", certificatePath,
        ], log: folder.file("openssl.log"))
    }
}

/// One message as `Support/smtp_sink.py` stored it, decoded by Python's email package.
struct SinkMessage: Decodable {
    var mail_from: String
    var rcpt_tos: [String]
    var login: String?
    var tls: Bool
    var headers: [[String]]
    var body: String
    var raw: String

    var headerNames: [String] { headers.compactMap(\.first) }

    func header(_ name: String) -> String? {
        headers.first { $0.first?.lowercased() == name.lowercased() }?.last
    }
}

/// A real SMTP server (aiosmtpd) on 127.0.0.1 that stores what it accepts; with a certificate it requires
/// STARTTLS and AUTH as leads/secret.
final class SMTPSink: Sendable {
    let port: Int
    private let folder: TemporaryFolder
    private let process: ChildProcess

    static func start(certificate: TestCertificate? = nil) async throws -> SMTPSink {
        try await offPool { try SMTPSink(certificate: certificate) }
    }

    private init(certificate: TestCertificate?) throws {
        folder = try TemporaryFolder()
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("smtp_sink.py").path
        var arguments = ["python3", script, folder.path]
        if let certificate { arguments += ["--cert", certificate.certificatePath, "--key", certificate.keyPath] }
        var output: [Int32] = [0, 0]
        guard pipe(&output) == 0 else { throw PeerError(description: "pipe: \(String(cString: strerror(errno)))") }
        // Close-on-exec as openOutputFile explains (pipe2, which sets it atomically, is not exported to Swift).
        for descriptor in output { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        let reader = FileHandle(fileDescriptor: output[0], closeOnDealloc: true)
        let log = try openOutputFile(folder.file("sink.log"))
        defer { close(log) }
        do {
            process = try ChildProcess(arguments, stdout: output[1], stderr: log)
        } catch {
            close(output[1])
            throw error
        }
        close(output[1])

        // The script prints its port once it listens: that line is the readiness signal.
        var printed = Data()
        while !printed.contains(UInt8(ascii: "\n")) {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            printed += chunk
        }
        let line = String(decoding: printed, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard let port = Int(line) else {
            process.wait()
            let log = (try? String(contentsOfFile: folder.file("sink.log"), encoding: .utf8)) ?? ""
            folder.remove()
            throw PeerError(description: "smtp_sink.py did not start (is aiosmtpd installed? run scripts/setup.sh --test): \(log)")
        }
        self.port = port
    }

    var url: String { "smtp://127.0.0.1:\(port)" }

    /// The messages stored so far, in arrival order.
    func messages() throws -> [SinkMessage] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".json") }.sorted()
        return try names.map { name in
            try JSONDecoder().decode(SinkMessage.self, from: Data(contentsOf: URL(fileURLWithPath: folder.file(name))))
        }
    }

    func stop() {
        process.terminate()
        process.wait()
        folder.remove()
    }
}

/// A real dovecot IMAP server on 127.0.0.1 with one user (leads/secret) and a maildir, as RECIPES.md describes;
/// with a certificate it also offers STARTTLS on `port` and implicit TLS on `tlsPort`.
final class Dovecot: Sendable {
    static let executable = "/usr/sbin/dovecot"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: executable) }

    private let reserved: ReservedPort
    private let reservedTLS: ReservedPort
    private let folder: TemporaryFolder

    var port: Int { reserved.port }
    var tlsPort: Int { reservedTLS.port }

    static func start(certificate: TestCertificate? = nil) async throws -> Dovecot {
        try await offPool { try Dovecot(certificate: certificate) }
    }

    private init(certificate: TestCertificate?) throws {
        reserved = try ReservedPort()
        reservedTLS = try ReservedPort()
        let port = reserved.port
        folder = try TemporaryFolder()
        let ssl = certificate.map { "ssl = yes\nssl_cert = <\($0.certificatePath)\nssl_key = <\($0.keyPath)" } ?? "ssl = no"
        let imaps = certificate == nil ? "" : "inet_listener imaps {\n    port = \(reservedTLS.port)\n    ssl = yes\n  }"
        let mail = folder.file("mail/leads")
        for box in ["new", "cur", "tmp"] {
            try FileManager.default.createDirectory(atPath: "\(mail)/\(box)", withIntermediateDirectories: true)
        }
        // The mail processes run as nobody: the whole mail tree must be theirs to write.
        for path in [folder.file("mail"), mail, "\(mail)/new", "\(mail)/cur", "\(mail)/tmp"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: path)
        }
        try "leads:{PLAIN}secret\n".write(toFile: folder.file("users"), atomically: true, encoding: .utf8)
        let dir = folder.path
        try """
            base_dir = \(dir)/run
            state_dir = \(dir)/state
            listen = 127.0.0.1
            protocols = imap
            \(ssl)
            disable_plaintext_auth = no
            auth_mechanisms = plain login
            # A refused login answers at once: the default two-second delay only slows the tests down.
            auth_failure_delay = 0
            log_path = \(dir)/dovecot.log
            mail_location = maildir:\(dir)/mail/%u
            default_login_user = nobody
            default_internal_user = dovecot
            default_internal_group = dovecot
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u \(dir)/users
            }
            userdb {
              driver = static
              args = uid=nobody gid=nogroup home=\(dir)/mail/%u
            }
            service imap-login {
              inet_listener imap {
                port = \(port)
              }
              \(imaps)
            }

            """.write(toFile: folder.file("dovecot.conf"), atomically: true, encoding: .utf8)
        // The master binds its listeners before it detaches, so the server takes connections once this returns.
        do {
            try runCommand([Self.executable, "-c", folder.file("dovecot.conf")], log: folder.file("start.log"))
        } catch {
            folder.remove()
            throw error
        }
    }

    /// The URL of `mailbox` on this server; `imaps` for implicit TLS on `tlsPort`.
    func url(_ mailbox: String = "INBOX", imaps: Bool = false) -> String {
        imaps ? "imaps://127.0.0.1:\(tlsPort)/\(mailbox)" : "imap://127.0.0.1:\(port)/\(mailbox)"
    }

    /// Puts `message` into INBOX as new, unseen mail, the way an MTA delivers to a maildir.
    func deliver(_ message: [UInt8], name: String) throws {
        let path = folder.file("mail/leads/new/\(name)")
        try Data(message).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: path)
    }

    /// Stops dovecot the documented way (`doveadm stop` waits until the master has exited), removes the folder and
    /// returns dovecot's log: read only now, once every process has written its last line.
    @discardableResult
    func stop() async -> String {
        let folder = folder
        _ = try? await offPool { try runCommand(["doveadm", "-c", folder.file("dovecot.conf"), "stop"], log: folder.file("stop.log")) }
        let log = (try? String(contentsOfFile: folder.file("dovecot.log"), encoding: .utf8)) ?? ""
        folder.remove()
        return log
    }
}
