import Foundation
import LeadGateSourceKit
import Yams

/// Turns YAML text into a `ConfigValue` tree with file/line/column marks, replacing `${VAR}` and
/// `${VAR:-default}` in scalars from the environment (after parsing, so marks stay exact and a
/// value can never inject YAML structure).
enum YAMLDocument {
    static func parse(_ text: String, file: String, environment: [String: String], diagnostics: ConfigDiagnostics) -> ConfigValue? {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            let (message, mark) = describe(error)
            diagnostics.error(message, at: ConfigMark(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1))
            return nil
        } catch {
            diagnostics.error("cannot read YAML: \(error)", at: ConfigMark(file: file, line: 1, column: 1))
            return nil
        }
        guard let node else {
            return .null(ConfigMark(file: file, line: 1, column: 1))
        }
        return convert(node, file: file, environment: environment, diagnostics: diagnostics)
    }

    private static func mark(_ node: Node, file: String) -> ConfigMark {
        ConfigMark(file: file, line: node.mark?.line ?? 1, column: node.mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String, environment: [String: String], diagnostics: ConfigDiagnostics) -> ConfigValue {
        let here = mark(node, file: file)
        switch node {
        case .scalar(let scalar):
            let quoted = scalar.style != .plain && scalar.style != .any
            if !quoted, ["", "~", "null", "Null", "NULL"].contains(scalar.string) {
                return .null(here)
            }
            let text = substitute(scalar.string, at: here, environment: environment, diagnostics: diagnostics)
            return .scalar(text, here, quoted: quoted)
        case .mapping(let mapping):
            var entries: [ConfigEntry] = []
            for (key, value) in mapping {
                guard case .scalar(let keyScalar) = key else {
                    diagnostics.error("mapping keys must be plain names, found a \(key.mapping != nil ? "mapping" : "list")", at: mark(key, file: file))
                    continue
                }
                entries.append(ConfigEntry(
                    key: keyScalar.string, keyMark: mark(key, file: file),
                    value: convert(value, file: file, environment: environment, diagnostics: diagnostics)
                ))
            }
            return .mapping(entries, here)
        case .sequence(let sequence):
            return .sequence(sequence.map { convert($0, file: file, environment: environment, diagnostics: diagnostics) }, here)
        case .alias:
            diagnostics.error("YAML aliases are not supported in LeadGate config", at: here)
            return .null(here)
        }
    }

    /// Replaces `${VAR}` and `${VAR:-default}`; `$$` is a literal `$`. An unset variable without default is an error.
    static func substitute(_ text: String, at mark: ConfigMark, environment: [String: String], diagnostics: ConfigDiagnostics) -> String {
        guard text.contains("$") else { return text }
        var output = ""
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            guard character == "$", next < text.endIndex else {
                output.append(character)
                index = next
                continue
            }
            if text[next] == "$" {
                output.append("$")
                index = text.index(after: next)
                continue
            }
            guard text[next] == "{", let close = text[next...].firstIndex(of: "}") else {
                output.append(character)
                index = next
                continue
            }
            let expression = String(text[text.index(after: next)..<close])
            let name: String
            let fallback: String?
            if let separator = expression.range(of: ":-") {
                name = String(expression[..<separator.lowerBound])
                fallback = String(expression[separator.upperBound...])
            } else {
                name = expression
                fallback = nil
            }
            let validName = !name.isEmpty && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
            if !validName {
                diagnostics.error("'${\(expression)}' is not a valid variable reference (use ${NAME} or ${NAME:-default})", at: mark)
            } else if let value = environment[name], !(value.isEmpty && fallback != nil) {
                output += value
            } else if let fallback {
                output += fallback
            } else {
                diagnostics.error("environment variable \(name) is not set (write ${\(name):-default} to give a default)", at: mark)
            }
            index = text.index(after: close)
        }
        return output
    }

    private static func describe(_ error: YamlError) -> (String, Mark?) {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
             .composer(let context, let problem, let mark, _):
            let prefix = context.map { $0.text + ": " } ?? ""
            return ("invalid YAML: \(prefix)\(problem)", mark)
        case .reader(let problem, _, _, _):
            return ("invalid YAML: \(problem)", nil)
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ("duplicate key \(duplicates.sorted().map { "'\($0)'" }.joined(separator: ", ")) in this mapping", context.mark)
        default:
            return ("invalid YAML: \(error)", nil)
        }
    }
}
