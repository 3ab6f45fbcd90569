import Foundation
import LeadGateCore
import LeadGateSourceKit

/// Reads and validates the YAML config, reporting every problem at once as `file:line:column: message`.
public enum ConfigLoader {
    /// Loads the config file at `path`.
    public static func load(path: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigLoadError) -> GatewayConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigLoadError(errors: [ConfigError("cannot read the config file", at: ConfigMark(file: path, line: 1, column: 1))])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigLoadError(errors: [ConfigError("the config file is not UTF-8", at: ConfigMark(file: path, line: 1, column: 1))])
        }
        return try parse(text, file: path, environment: environment, baseDirectory: (path as NSString).deletingLastPathComponent)
    }

    /// Loads config from `text`; `file` names it in messages, `baseDirectory` anchors relative paths (none: the working
    /// directory); `http` is the client the adapters will fetch platform APIs with.
    public static func parse(
        _ text: String, file: String, environment: [String: String], baseDirectory: String? = nil, http: SharedCurlClient = SharedCurlClient()
    ) throws(ConfigLoadError) -> GatewayConfig {
        let diagnostics = ConfigDiagnostics()
        guard let document = YAMLDocument.parse(text, file: file, environment: environment, diagnostics: diagnostics) else {
            throw ConfigLoadError(errors: diagnostics.sorted)
        }
        let root = ConfigSection(document, path: "config", diagnostics: diagnostics)
        let server = readServer(root.section("server"), root: root)
        let store = readStore(root.section("store"), root: root)
        let tokens = readAdmin(root.section("admin"))
        let sources = readSources(root, server: server, services: SourceServices(http: http))
        let catalog = root.keys.contains("products") ? ProductConfig.read(from: root) : nil
        let (channels, schedule) = NotificationConfig.read(root)
        let forecast = ProductConfig.readForecast(root)
        let dashboard = readDashboard(root.section("dashboard"))
        root.finish(known: [
            "server", "store", "admin", "sources", "products", "default_product", "free_email_domains", "notifications", "delivery",
            "forecast", "dashboard",
        ])
        guard diagnostics.errors.isEmpty, let server, let store, let forecast else {
            throw ConfigLoadError(errors: diagnostics.sorted)
        }
        return GatewayConfig(
            server: server, store: store, adminTokens: tokens, sources: sources, catalog: catalog,
            notifications: channels, retrySchedule: schedule, forecast: forecast, dashboard: dashboard, http: http
        )
    }

    /// Loads a criteria file for `leadgate backtest`: a `criteria:` block (version, threshold, rules) at the
    /// top level, or those three keys alone, with the same checks and `file:line:column` errors as the config.
    public static func loadCriteria(path: String, product: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigLoadError) -> Criteria {
        let start = ConfigMark(file: path, line: 1, column: 1)
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigLoadError(errors: [ConfigError("cannot read the criteria file (UTF-8 YAML expected)", at: start)])
        }
        let diagnostics = ConfigDiagnostics()
        guard let document = YAMLDocument.parse(text, file: path, environment: environment, diagnostics: diagnostics) else {
            throw ConfigLoadError(errors: diagnostics.sorted)
        }
        let root = ConfigSection(document, path: "criteria file", diagnostics: diagnostics)
        let section = root.keys.contains("criteria") ? root.section("criteria", required: true) : root
        if section !== root { root.finish(known: ["criteria"]) }
        let criteria = section.flatMap { ProductConfig.readCriteria($0, product: product) }
        guard diagnostics.errors.isEmpty, let criteria else {
            throw ConfigLoadError(errors: diagnostics.errors.isEmpty ? [ConfigError("no criteria in this file", at: start)] : diagnostics.sorted)
        }
        return criteria
    }

    private static func readServer(_ section: ConfigSection?, root: ConfigSection) -> ServerSettings? {
        var settings = ServerSettings(host: "127.0.0.1", port: 8080, maxBody: ServerSettings.defaultMaxBody, defaultRegion: nil, timeZone: .current)
        guard let section else { return settings }
        if let listen = section.string("listen") {
            if let (host, port) = parseListen(listen) {
                settings.host = host
                settings.port = port
            } else {
                section.error("listen", "server.listen must be host:port (e.g. 127.0.0.1:8080), found '\(listen)'")
            }
        }
        if let maxBody = section.byteSize("max_body") {
            if maxBody < 1024 {
                section.error("max_body", "server.max_body must be at least 1KiB, found \(maxBody) bytes")
            } else {
                settings.maxBody = maxBody
            }
        }
        settings.defaultRegion = readRegion(section, key: "default_region")
        if let zone = section.string("time_zone") {
            if let timeZone = TimeZone(identifier: zone) {
                settings.timeZone = timeZone
            } else {
                section.error("time_zone", "server.time_zone '\(zone)' is not an IANA time zone (e.g. Asia/Jerusalem)")
            }
        }
        section.finish(known: ["listen", "max_body", "default_region", "time_zone"])
        return settings
    }

    static func readRegion(_ section: ConfigSection, key: String) -> String? {
        guard let region = section.string(key) else { return nil }
        let code = region.uppercased()
        guard code.count == 2, CountryNormalizer.isoCode(for: code) == code else {
            section.error(key, "\(section.path).\(key) must be an ISO 3166-1 alpha-2 code like IL or US, found '\(region)'")
            return nil
        }
        return code
    }

    static func parseListen(_ listen: String) -> (String, Int)? {
        guard let colon = listen.lastIndex(of: ":") else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(listen[listen.index(after: colon)...]), (0...65535).contains(port) else { return nil }
        return (host, port)
    }

    private static func readStore(_ section: ConfigSection?, root: ConfigSection) -> StoreSettings? {
        guard let section else { return .sqlite(path: "data/leadgate.sqlite", synchronous: "full") }
        defer { section.finish(known: ["sqlite", "synchronous"]) }
        let synchronous = section.string("synchronous")?.lowercased() ?? "full"
        if !["full", "normal"].contains(synchronous) {
            section.error("synchronous", "store.synchronous must be full or normal, found '\(synchronous)'")
        }
        if let path = section.string("sqlite") {
            return .sqlite(path: path, synchronous: synchronous)
        }
        section.error("sqlite", "store needs 'sqlite: PATH' (the embedded database file)")
        return nil
    }

    private static func readAdmin(_ section: ConfigSection?) -> [AdminToken] {
        guard let section else { return [] }
        defer { section.finish(known: ["tokens"]) }
        var tokens: [AdminToken] = []
        for entry in section.sections("tokens") ?? [] {
            defer { entry.finish(known: ["token", "role", "name"]) }
            let token = entry.string("token", required: true)
            let name = entry.string("name") ?? "admin"
            let roleText = entry.string("role") ?? "read"
            guard let role = AdminRole(rawValue: roleText) else {
                entry.error("role", "\(entry.path).role must be read or write, found '\(roleText)'")
                continue
            }
            guard let token else { continue }
            if token.count < 8 {
                entry.error("token", "\(entry.path).token must be at least 8 characters")
                continue
            }
            tokens.append(AdminToken(token: token, role: role, name: name))
        }
        return tokens
    }

    private static func readSources(_ root: ConfigSection, server: ServerSettings?, services: SourceServices) -> [ConfiguredSource] {
        let sections = root.sections("sources") ?? []
        var seen: [String: ConfigMark] = [:]
        var sources: [ConfiguredSource] = []
        for section in sections {
            guard let name = section.string("name", required: true),
                  let type = section.string("type", required: true) else {
                continue
            }
            if let first = seen[name] {
                section.error("name", "duplicate source name '\(name)' (first defined at \(first))")
            } else {
                seen[name] = section.mark(of: "name")
            }
            if !isValidSourceName(name) {
                section.error("name", "source name '\(name)' may use only letters, digits, '-' and '_' (it is part of the URL /ingest/\(name))")
            }
            guard let adapterType = AdapterRegistry.pushSource(type: type) else {
                section.error("type", "unknown source type '\(type)' (known types: \(AdapterRegistry.typeNames.joined(separator: ", ")))")
                continue
            }
            let fieldMap = readFieldMap(section.section("fields"), base: adapterType.defaultFieldMap)
            let region = readRegion(section, key: "default_region") ?? server?.defaultRegion
            let window = section.duration("dedupe_window") ?? .seconds(600)
            let rateLimit = readRateLimit(section.section("rate_limit"))
            do {
                let adapter = try adapterType.init(name: name, config: section, services: services)
                sources.append(ConfiguredSource(
                    name: name, type: type, adapter: adapter, normalizer: LeadNormalizer(fieldMap: fieldMap),
                    defaultRegion: region, dedupeWindow: window, rateLimit: rateLimit
                ))
            } catch {
                section.error("type", "source '\(name)' cannot start: \(error)")
            }
            section.finish()
        }
        return sources
    }

    private static func readDashboard(_ section: ConfigSection?) -> DashboardSettings {
        var settings = DashboardSettings()
        guard let section else { return settings }
        defer { section.finish(known: ["title", "language"]) }
        if let title = section.string("title") { settings.title = title }
        if let language = section.string("language") {
            if ["he", "en"].contains(language) {
                settings.language = language
            } else {
                section.error("language", "\(section.path).language must be he or en, found '\(language)'")
            }
        }
        return settings
    }

    static func isValidSourceName(_ name: String) -> Bool {
        !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }
    }

    private static func readFieldMap(_ section: ConfigSection?, base: FieldMap) -> FieldMap {
        guard let section else { return base }
        var overrides: [CanonicalField: [String]] = [:]
        for key in section.keys {
            guard let field = CanonicalField(rawValue: key) else {
                section.consume(key)
                section.error(key, "'\(key)' is not a canonical field (known: \(CanonicalField.allCases.map(\.rawValue).joined(separator: ", ")))")
                continue
            }
            overrides[field] = section.stringList(key)
        }
        section.finish()
        return base.overriding(with: overrides)
    }

    private static func readRateLimit(_ section: ConfigSection?) -> RateLimit? {
        guard let section else { return nil }
        defer { section.finish(known: ["per_second", "burst"]) }
        guard let rate = section.double("per_second", required: true) else { return nil }
        guard rate > 0 else {
            section.error("per_second", "\(section.path).per_second must be above 0")
            return nil
        }
        let burst = section.double("burst") ?? max(1, rate)
        guard burst >= 1 else {
            section.error("burst", "\(section.path).burst must be at least 1")
            return nil
        }
        return RateLimit(rate: rate, burst: burst)
    }
}
