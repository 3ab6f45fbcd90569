import ArgumentParser
import Foundation
import LeadGateCore
import LeadGateServer
import LeadGateStore
import Logging

@main
struct LeadGateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "leadgate",
        abstract: "LeadGate: a self-hosted lead intake gateway.",
        subcommands: [Serve.self, CheckConfig.self, Leads.self]
    )
}

/// `--config`, shared by every command: the flag, else LEADGATE_CONFIG, else config/leadgate.yaml.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "The config file (default: $LEADGATE_CONFIG or config/leadgate.yaml).")
    var config: String?

    var path: String {
        config ?? ProcessInfo.processInfo.environment["LEADGATE_CONFIG"] ?? "config/leadgate.yaml"
    }

    /// The loaded config, or every error printed to stderr and exit code 78 (EX_CONFIG).
    func load() throws -> GatewayConfig {
        do {
            return try ConfigLoader.load(path: path)
        } catch {
            for problem in error.errors { Stderr.print(problem.description) }
            Stderr.print("\(error.errors.count) error\(error.errors.count == 1 ? "" : "s") in \(path)")
            throw ExitCode(78)
        }
    }
}

enum Stderr {
    static func print(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the gateway.")
    @OptionGroup var options: ConfigOption

    func run() async throws {
        let config = try options.load()
        var logger = Logger(label: "leadgate")
        logger.logLevel = ProcessInfo.processInfo.environment["LEADGATE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
        let gateway = try Gateway(config: config)
        logger.info("LeadGate serving \(config.sources.count) source(s) on http://\(config.server.host):\(config.server.port)")
        try await gateway.run(logger: logger)
    }
}

struct CheckConfig: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check-config", abstract: "Validate the config; print every error as file:line:column: message.")
    @OptionGroup var options: ConfigOption

    func run() throws {
        let config = try options.load()
        print("\(options.path): ok (\(config.sources.count) source\(config.sources.count == 1 ? "" : "s"))")
    }
}

struct Leads: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Read the store.", subcommands: [List.self, Show.self], defaultSubcommand: List.self
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List leads, newest first.")
        @OptionGroup var options: ConfigOption
        @Option(help: "opportunity, lead or rejected.") var status: LeadStatus?
        @Option(help: "Only leads of this source.") var source: String?
        @Option(help: "Free text in name, email, phone or company.") var query: String?
        @Option(help: "At most this many.") var limit = 50
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try Gateway.openStore(try options.load().store)
            let page = try await store.leads(LeadQuery(status: status, source: source, text: query, limit: limit))
            if json {
                print(String(decoding: try LeadJSON.encoder(pretty: true).encode(page.leads), as: UTF8.self))
                return
            }
            let rows = page.leads.map { lead in
                [lead.id, lead.status.rawValue, lead.contact.fullName ?? "", lead.contact.email ?? "", lead.contact.phone ?? "",
                 lead.attribution.source, lead.createdAt.formatted(.iso8601)]
            }
            print(TextTable.render(header: ["ID", "STATUS", "NAME", "EMAIL", "PHONE", "SOURCE", "CREATED"], rows: rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one lead.")
        @OptionGroup var options: ConfigOption
        @Argument(help: "The lead id (ld_...).") var id: String
        @Flag(help: "Print JSON.") var json = false

        func run() async throws {
            let store = try Gateway.openStore(try options.load().store)
            guard let lead = try await store.lead(id: id) else {
                Stderr.print("no lead with id '\(id)'")
                throw ExitCode(1)
            }
            if json {
                print(String(decoding: try LeadJSON.encoder(pretty: true).encode(lead), as: UTF8.self))
                return
            }
            var rows: [[String]] = [
                ["id", lead.id], ["status", lead.status.rawValue + (lead.rejectReason.map { " (\($0))" } ?? "")],
                ["name", lead.contact.fullName ?? ""], ["email", lead.contact.email ?? ""], ["phone", lead.contact.phone ?? ""],
                ["company", lead.contact.company ?? ""], ["source", lead.attribution.source],
                ["campaign", lead.attribution.campaign ?? ""], ["created", lead.createdAt.formatted(.iso8601)],
            ]
            rows += lead.fields.sorted { $0.key < $1.key }.map { ["fields.\($0.key)", $0.value] }
            rows += lead.touches.map { ["touch", "\($0.receivedAt.formatted(.iso8601)) \($0.source) \($0.externalID ?? "")"] }
            print(TextTable.render(header: ["FIELD", "VALUE"], rows: rows))
        }
    }
}

extension LeadStatus: ExpressibleByArgument {}

/// Aligned columns for the terminal; widths count characters, so Hebrew lines up as well as a terminal allows.
enum TextTable {
    static func render(header: [String], rows: [[String]]) -> String {
        let all = [header] + rows.map { $0.map { $0.replacingOccurrences(of: "\n", with: " ") } }
        let widths = header.indices.map { column in min(48, all.map { $0[column].count }.max() ?? 0) }
        return all.map { row in
            row.enumerated().map { column, cell in
                let text = cell.count > widths[column] ? String(cell.prefix(widths[column] - 1)) + "…" : cell
                return text + String(repeating: " ", count: widths[column] - text.count)
            }.joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }.joined(separator: "\n")
    }
}
