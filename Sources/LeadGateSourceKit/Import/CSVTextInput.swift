import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The character encoding a CSV file was found in.
public enum CSVEncoding: String, Sendable, Hashable {
    /// UTF-8, with or without a byte-order mark (Excel's "CSV UTF-8" writes one).
    case utf8 = "utf-8"
    /// UTF-16 little-endian, with a byte-order mark or recognised by its NUL bytes (Meta's "Download leads"
    /// files, as Excel likes them).
    case utf16LittleEndian = "utf-16le"
    /// UTF-16 big-endian, with a byte-order mark or recognised by its NUL bytes.
    case utf16BigEndian = "utf-16be"
}

/// Why a CSV file could not be read at all (one bad record is a `CSVRow.malformed` instead).
public struct CSVReadError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String

    /// An error with its message, which names the file or the line.
    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// read(2); named apart because `ByteInput.read(into:)` hides the C function inside the class.
private func systemRead(_ descriptor: Int32, _ base: UnsafeMutableRawPointer, _ count: Int) -> Int {
    read(descriptor, base, count)
}

/// Raw bytes chunk by chunk: a file through read(2), or bytes already in memory.
final class ByteInput {
    private enum Origin {
        case file(descriptor: Int32, path: String)
        case memory([UInt8], offset: Int)
    }

    private var origin: Origin
    private let chunkSize: Int
    /// Bytes taken from the origin so far.
    private(set) var bytesRead = 0

    init(path: String, chunkSize: Int) throws(CSVReadError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CSVReadError("cannot open \(path): \(String(cString: strerror(errno)))") }
        origin = .file(descriptor: descriptor, path: path)
        self.chunkSize = max(chunkSize, 1)
    }

    init(bytes: [UInt8], chunkSize: Int) {
        origin = .memory(bytes, offset: 0)
        self.chunkSize = max(chunkSize, 1)
    }

    deinit {
        if case .file(let descriptor, _) = origin { close(descriptor) }
    }

    /// Appends up to one chunk to `buffer`; false at the end of the input.
    func read(into buffer: inout [UInt8]) throws(CSVReadError) -> Bool {
        switch origin {
        case .memory(let bytes, let offset):
            guard offset < bytes.count else { return false }
            let end = min(offset + chunkSize, bytes.count)
            buffer.append(contentsOf: bytes[offset..<end])
            origin = .memory(bytes, offset: end)
            bytesRead = end
            return true
        case .file(let descriptor, let path):
            let start = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: chunkSize))
            while true {
                let count = buffer.withUnsafeMutableBytes { raw -> Int in
                    guard let base = raw.baseAddress else { return 0 }
                    return systemRead(descriptor, base + start, chunkSize)
                }
                if count < 0, errno == EINTR { continue }
                buffer.removeLast(chunkSize - max(count, 0))
                guard count >= 0 else { throw CSVReadError("cannot read \(path): \(String(cString: strerror(errno)))") }
                bytesRead += count
                return count > 0
            }
        }
    }
}

/// The text of a CSV file as UTF-8, piece by piece, whatever its encoding. UTF-8 passes through untouched;
/// UTF-16 is converted by `Charset` (iconv) a chunk at a time, never splitting a surrogate pair.
final class CSVTextInput {
    let encoding: CSVEncoding
    private let input: ByteInput
    /// UTF-8: the sniffed head, not yet handed out. UTF-16: raw bytes not yet converted.
    private var pending: [UInt8]
    private var charset: Charset?
    private var inputEnded = false

    var bytesRead: Int { input.bytesRead }

    /// Reads enough of the input to tell its encoding, and drops its byte-order mark.
    init(_ input: ByteInput) throws(CSVReadError) {
        self.input = input
        var head: [UInt8] = []
        while head.count < 64 {
            guard try input.read(into: &head) else {
                inputEnded = true
                break
            }
        }
        let (encoding, markLength) = Self.sniff(head)
        self.encoding = encoding
        pending = Array(head.dropFirst(markLength))
        switch encoding {
        case .utf8: charset = nil
        case .utf16LittleEndian: charset = Charset(label: "utf-16le")
        case .utf16BigEndian: charset = Charset(label: "utf-16be")
        }
        if encoding != .utf8, charset == nil { throw CSVReadError("this system's iconv cannot convert \(encoding.rawValue)") }
    }

    /// The encoding `head` is in and the length of its byte-order mark. Without a mark, UTF-16 shows as NUL
    /// bytes in the high half of ASCII characters: at odd offsets for little-endian, even for big-endian.
    static func sniff(_ head: [UInt8]) -> (CSVEncoding, markLength: Int) {
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if head.starts(with: [0xFF, 0xFE]) { return (.utf16LittleEndian, 2) }
        if head.starts(with: [0xFE, 0xFF]) { return (.utf16BigEndian, 2) }
        var evenNULs = 0
        var oddNULs = 0
        for (offset, byte) in head.enumerated() where byte == 0 {
            if offset % 2 == 0 { evenNULs += 1 } else { oddNULs += 1 }
        }
        if oddNULs > evenNULs { return (.utf16LittleEndian, 0) }
        if evenNULs > oddNULs { return (.utf16BigEndian, 0) }
        return (.utf8, 0)
    }

    /// Appends the next piece of text, as UTF-8, to `buffer`; false when there is no more.
    func read(into buffer: inout [UInt8]) throws(CSVReadError) -> Bool {
        guard let charset else {
            if !pending.isEmpty {
                buffer.append(contentsOf: pending)
                pending = []
                return true
            }
            return inputEnded ? false : try input.read(into: &buffer)
        }
        while true {
            if !inputEnded, try !input.read(into: &pending) { inputEnded = true }
            if pending.isEmpty, inputEnded { return false }
            let before = buffer.count
            try convertUTF16(charset, into: &buffer)
            if buffer.count > before || inputEnded { return true }
        }
    }

    /// Converts what of `pending` can be converted now: whole code units only, and until the input ends,
    /// never a high surrogate whose low half is still to come.
    private func convertUTF16(_ charset: Charset, into buffer: inout [UInt8]) throws(CSVReadError) {
        let bigEndian = encoding == .utf16BigEndian
        func unit(_ offset: Int) -> UInt16 {
            let (high, low) = bigEndian ? (pending[offset], pending[offset + 1]) : (pending[offset + 1], pending[offset])
            return UInt16(high) << 8 | UInt16(low)
        }
        var end = inputEnded ? pending.count : pending.count & ~1
        if !inputEnded, end >= 2, (0xD800...0xDBFF).contains(unit(end - 2)) { end -= 2 }
        // Charset.decode drops a leading U+FEFF as a byte-order mark (and U+FFFE would flip the byte order), so
        // a chunk that starts with one has it written out here: mid-file it is text (a zero-width no-break space).
        var start = 0
        while start + 1 < end, unit(start) == 0xFEFF || unit(start) == 0xFFFE {
            buffer.append(contentsOf: unit(start) == 0xFEFF ? [0xEF, 0xBB, 0xBF] : [0xEF, 0xBF, 0xBE])
            start += 2
        }
        if start < end {
            do {
                // Lenient: an unpaired surrogate becomes U+FFFD rather than failing the whole file.
                buffer.append(contentsOf: try charset.decode(pending[start..<end], mode: .lenient).text.utf8)
            } catch {
                throw CSVReadError("cannot convert \(encoding.rawValue): \(error)")
            }
        }
        pending.removeFirst(end)
    }
}
