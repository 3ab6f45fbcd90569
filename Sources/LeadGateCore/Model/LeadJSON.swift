import Foundation

/// The one JSON coder setup of LeadGate: ISO 8601 dates, sorted keys, slashes unescaped.
public enum LeadJSON {
    /// A new encoder with LeadGate's settings (encoders are cheap; each caller owns its own).
    public static func encoder(pretty: Bool = false) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = pretty ? [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// A new decoder with LeadGate's settings.
    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
