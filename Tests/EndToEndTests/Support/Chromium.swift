import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium (Debian's `chromium`) for tests that look at a page as a browser draws it.
///
/// Each run gets a fresh profile folder, so tests may run it side by side without one instance handing
/// its page to another. The dbus errors it prints on a machine without a bus are harmless.
struct Chromium: Sendable {
    let executable: String

    /// The browser, installed with apt-get (as root, or through passwordless sudo) the first time it is
    /// missing. Throws, saying why, when it cannot be had: a test that needs it fails rather than skips.
    static func require() throws -> Chromium {
        try installed.get()
    }

    /// Looked up (and installed) once per test process, so that parallel tests do not race apt-get.
    private static let installed: Result<Chromium, ChromiumError> = Result { () throws(ChromiumError) -> Chromium in
        if let found = onPath() { return found }
        try install()
        guard let found = onPath() else {
            throw ChromiumError("apt-get installed chromium, but no `chromium` is on PATH (\(path))")
        }
        return found
    }

    /// A PNG of `url` as a window of `width`×`height` shows it, written to `file`.
    func screenshot(of url: URL, width: Int, height: Int, to file: URL, timeout: Duration = .seconds(60)) async throws -> Screenshot {
        try? FileManager.default.removeItem(at: file)
        let run = try await browse(
            ["--hide-scrollbars", "--window-size=\(width),\(height)", "--screenshot=\(file.path)", url.absoluteString], timeout: timeout
        )
        guard run.status == 0, let data = FileManager.default.contents(atPath: file.path) else {
            throw ChromiumError("chromium --screenshot of \(url) exited \(run.status) without \(file.path):\n\(run.stderr.suffix(2000))")
        }
        let size = try PNGHeader.size(of: data)
        return Screenshot(file: file, byteCount: data.count, width: size.width, height: size.height)
    }

    /// The document of `url` once it loaded, serialized (what `--dump-dom` prints).
    func dumpDOM(of url: URL, timeout: Duration = .seconds(60)) async throws -> String {
        let run = try await browse(["--dump-dom", url.absoluteString], timeout: timeout)
        guard run.status == 0, !run.stdout.isEmpty else {
            throw ChromiumError("chromium --dump-dom of \(url) exited \(run.status) with no document:\n\(run.stderr.suffix(2000))")
        }
        return run.stdout
    }

    /// Runs the browser with a fresh profile, removed afterwards. `--no-sandbox` because tests run as root;
    /// `--disable-dev-shm-usage` because a container's /dev/shm is small.
    private func browse(_ arguments: [String], timeout: Duration) async throws -> Output {
        let profile = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: profile) }
        let common = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--user-data-dir=\(profile.path)"]
        return try await Self.run(executable, common + arguments, timeout: timeout)
    }

    private static var path: String { ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin" }

    private static func onPath() -> Chromium? {
        path.split(separator: ":").map { "\($0)/chromium" }.first { FileManager.default.isExecutableFile(atPath: $0) }.map(Chromium.init)
    }

    private static func install() throws(ChromiumError) {
        let packages = ["chromium", "fonts-dejavu-core"]
        let prefix: [String]
        if geteuid() == 0 {
            prefix = ["/usr/bin/env", "DEBIAN_FRONTEND=noninteractive"]
        } else if (try? execute("/usr/bin/env", ["sudo", "-n", "true"], timeout: .seconds(10)).status) == 0 {
            prefix = ["/usr/bin/env", "sudo", "-n", "env", "DEBIAN_FRONTEND=noninteractive"]
        } else {
            throw ChromiumError(
                "chromium is not installed, and this user can neither install it (not root) nor use sudo without a password: "
                    + "run `apt-get install -y \(packages.joined(separator: " "))` as root"
            )
        }
        for command in [["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq"] + packages] {
            let arguments = Array(prefix.dropFirst()) + command
            let run = try execute(prefix[0], arguments, timeout: .seconds(900))
            guard run.status == 0 else {
                throw ChromiumError(
                    "chromium is not on PATH and installing it failed: \(arguments.joined(separator: " ")) exited \(run.status):\n"
                        + run.stdout.suffix(2000) + run.stderr.suffix(2000)
                )
            }
        }
    }

    /// `execute` on a thread of its own, so that waiting for the browser holds none of the few concurrency threads.
    private static func run(_ executable: String, _ arguments: [String], timeout: Duration) async throws -> Output {
        try await onThreadOfItsOwn { try execute(executable, arguments, timeout: timeout) }
    }

    private typealias Output = (status: Int32, stdout: String, stderr: String)

    /// Runs a program to its end and returns what it printed, collected through files (a page's DOM
    /// outgrows a pipe's buffer). Blocks; kills the program after `timeout`.
    private static func execute(_ executable: String, _ arguments: [String], timeout: Duration) throws(ChromiumError) -> Output {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("chromium-run-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (out, err) = (folder.appendingPathComponent("stdout"), folder.appendingPathComponent("stderr"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let ended = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in ended.signal() }
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            _ = FileManager.default.createFile(atPath: out.path, contents: nil)
            _ = FileManager.default.createFile(atPath: err.path, contents: nil)
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = try FileHandle(forWritingTo: err)
            try process.run()
        } catch {
            throw ChromiumError("cannot start \(executable): \(error)")
        }
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        let timedOut = ended.wait(timeout: .now() + seconds) == .timedOut
        if timedOut {
            // SIGKILL: a child started from a concurrency thread may have SIGTERM blocked. Foundation starts it
            // in a process group of its own, so the browser's helper processes go with it.
            let pid = process.processIdentifier
            if kill(-pid, SIGKILL) != 0 { kill(pid, SIGKILL) }
            ended.wait()
        }
        let stdout = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
        let stderr = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        if timedOut {
            throw ChromiumError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout):\n\(stderr.suffix(2000))")
        }
        return (process.terminationStatus, stdout, stderr)
    }
}

/// A screenshot file and what its PNG header says.
struct Screenshot: Sendable {
    let file: URL
    let byteCount: Int
    let width: Int
    let height: Int
}

/// Why Chromium could not be had or did not do what was asked.
struct ChromiumError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The size in a PNG's IHDR chunk, which the format requires to come first.
enum PNGHeader {
    static func size(of data: Data) throws(ChromiumError) -> (width: Int, height: Int) {
        let bytes = [UInt8](data.prefix(24))
        let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        guard bytes.count == 24, Array(bytes[0..<8]) == signature, Array(bytes[12..<16]) == Array("IHDR".utf8) else {
            throw ChromiumError("not a PNG file (\(data.count) bytes)")
        }
        func bigEndian(at offset: Int) -> Int {
            bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
        }
        return (bigEndian(at: 16), bigEndian(at: 20))
    }
}
