/// Checks on text that goes into a protocol line, so that no caller can add a header or a command.
enum ProtocolText {
    /// Refuses CR, LF and NUL, which end a header or command line early (or, for C, the string).
    static func checkSingleLine(_ value: String, _ what: @autoclosure () -> String) throws(CurlError) {
        guard value.utf8.contains(where: { $0 == 13 || $0 == 10 || $0 == 0 }) else { return }
        // The value itself stays out of the message: it may be a secret.
        throw .invalidArgument("\(what()) contains a line break or NUL, which could inject protocol lines")
    }

    /// Refuses anything but an RFC 9110 token: header names and methods.
    static func checkToken(_ value: String, _ what: @autoclosure () -> String) throws(CurlError) {
        let valid = !value.isEmpty && value.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return true
            default:
                return "!#$%&'*+-.^_`|~".utf8.contains(byte)
            }
        }
        guard !valid else { return }
        throw .invalidArgument("\(what()) '\(value.unicodeScalars.map { $0.escaped(asASCII: true) }.joined())' is not a valid token")
    }
}
