import Foundation
import Learn
import SwiftLearnCore

/// Errors from reading delimited text files.
public indirect enum CSVError: Error, Equatable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The text is not valid UTF-8.
    case notUTF8(path: String)
    /// No header row.
    case empty(String)
    /// A row that does not parse: 1-based line and column (field) numbers.
    case malformed(line: Int, column: Int, reason: String)
    /// Two columns share a name.
    case duplicateColumn(String)
    /// A column name that is not in the header.
    case unknownColumn(name: String, available: [String])
    /// `error`, found while reading the file at `path`.
    case inFile(path: String, error: CSVError)

    public var description: String {
        switch self {
        case .unreadable(let p, let r): return "cannot read \(p): \(r)"
        case .notUTF8(let p): return "\(p) is not UTF-8 text"
        case .empty(let p): return "\(p) has no header row"
        case .malformed(let l, let c, let r): return "line \(l), column \(c): \(r)"
        case .duplicateColumn(let n): return "column '\(n)' appears twice in the header"
        case .unknownColumn(let n, let a): return "no column '\(n)'; columns are: \(a.joined(separator: ", "))"
        case .inFile(let p, let e): return "\(p): \(e)"
        }
    }
}

/// One column of a table: numbers (missing as NaN) or categories (missing as nil).
public enum CSVColumn: Equatable, Sendable {
    case numeric([Double])
    case categorical([String?])

    /// Number of values.
    public var count: Int {
        switch self { case .numeric(let v): return v.count; case .categorical(let v): return v.count }
    }
    /// Number of missing values.
    public var missingCount: Int {
        switch self {
        case .numeric(let v): return v.filter { $0.isNaN }.count
        case .categorical(let v): return v.filter { $0 == nil }.count
        }
    }
    /// Whether the column is numeric.
    public var isNumeric: Bool { if case .numeric = self { return true } else { return false } }
}

/// A table read from CSV: a header and typed columns.
///
/// Reading follows RFC 4180: fields separated by the delimiter, optionally quoted with `"`, a
/// quote inside a quoted field doubled (`""`), line breaks allowed inside quotes, `\n` or `\r\n`
/// line ends. A column is numeric when every non-missing field parses as a number, otherwise
/// categorical. Missing fields: empty, `NA`, `N/A`, `NaN`, `nan`, `null`, `NULL`, `None`, `?`.
/// Rows with a different number of fields than the header throw
/// ``CSVError/malformed(line:column:reason:)``.
public struct CSVTable: Equatable, Sendable {
    /// Column names in file order.
    public let header: [String]
    /// Columns in file order.
    public var columns: [CSVColumn]
    /// Number of data rows.
    public let rowCount: Int
    /// Where the data came from (a file path, or "text"), for messages.
    public internal(set) var source = "text"
    /// The 1-based line of the source on which each data row starts (rows keep their lines
    /// through ``rows(_:)``, so a message about a shuffled split still names the file's line).
    public internal(set) var lines: [Int]

    /// Tokens read as missing.
    public static let missingTokens: Set<String> = ["", "NA", "N/A", "NaN", "nan", "null", "NULL", "None", "?"]

    /// A table from its parts. Columns must match the header and have `rowCount` values.
    public init(header: [String], columns: [CSVColumn]) throws {
        guard header.count == columns.count else { throw CSVError.malformed(line: 1, column: columns.count, reason: "\(header.count) names for \(columns.count) columns") }
        var seen = Set<String>()
        for h in header { if !seen.insert(h).inserted { throw CSVError.duplicateColumn(h) } }
        let n = columns.first?.count ?? 0
        guard columns.allSatisfy({ $0.count == n }) else { throw CSVError.malformed(line: 1, column: 1, reason: "columns of different lengths") }
        self.header = header
        self.columns = columns
        self.rowCount = n
        self.lines = (0..<n).map { $0 + 2 }
    }

    /// A table whose parts are known to agree (a subset of a checked table's rows or columns).
    private init(validated header: [String], columns: [CSVColumn], rowCount: Int, source: String, lines: [Int]) {
        self.header = header
        self.columns = columns
        self.rowCount = rowCount
        self.source = source
        self.lines = lines
    }

    /// "FILE line N" for data row `row` (0-based), the way messages name a value's place.
    public func location(ofRow row: Int) -> String {
        let line = lines.indices.contains(row) ? lines[row] : row + 2
        return "\(source) line \(line)"
    }

    /// Reads a file. `delimiter` defaults to `,`.
    public static func read(path: String, delimiter: Character = ",") throws -> CSVTable {
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw CSVError.unreadable(path: path, reason: readableReason(error))
        }
        guard let text = String(data: data, encoding: .utf8) else { throw CSVError.notUTF8(path: path) }
        if let line = lineOfFirstNUL(data) {
            // A NUL byte is never CSV text: a binary file, or a value that would be read wrongly.
            let row = text.split(separator: "\n", omittingEmptySubsequences: false)[line - 1]
            let column = row.prefix { $0 != "\u{0}" }.filter { $0 == delimiter }.count + 1
            throw CSVError.inFile(path: path, error: .malformed(line: line, column: column, reason: "a NUL byte (not a text file?)"))
        }
        do { return try parse(text, delimiter: delimiter, source: path) } catch let e as CSVError {
            if case .malformed = e { throw CSVError.inFile(path: path, error: e) }
            throw e
        }
    }

    /// Parses CSV text.
    public static func parse(_ text: String, delimiter: Character = ",", source: String = "text") throws -> CSVTable {
        let records = try CSVTable.records(text, delimiter: delimiter)
        guard let first = records.first else { throw CSVError.empty(source) }
        var header = first.fields
        if let h = header.first, h.hasPrefix("\u{FEFF}") { header[0] = String(h.dropFirst()) }  // byte-order mark
        var raw = [[String]](repeating: [], count: header.count)
        var lines: [Int] = []
        for r in records.dropFirst() {
            if r.fields.count == 1 && r.fields[0].isEmpty && header.count > 1 { continue }  // blank line
            guard r.fields.count == header.count else {
                throw CSVError.malformed(line: r.line, column: min(r.fields.count, header.count) + 1,
                                         reason: "expected \(header.count) fields, found \(r.fields.count)")
            }
            for (j, f) in r.fields.enumerated() { raw[j].append(f) }
            lines.append(r.line)
        }
        let columns = raw.map { values -> CSVColumn in
            var numbers = [Double]()
            numbers.reserveCapacity(values.count)
            for v in values {
                let t = trimmedSpaces(v)
                if missingTokens.contains(t) { numbers.append(.nan); continue }
                // A number too large for a Double (1e400) is the IEEE value it denotes (±inf), as
                // in NumPy and pandas; estimators then refuse it as non-finite, naming the line.
                guard let d = Double(t) else {
                    return .categorical(values.map { v in
                        let t = trimmedSpaces(v)
                        return missingTokens.contains(t) ? nil : v
                    })
                }
                numbers.append(d)
            }
            return .numeric(numbers)
        }
        var table = try CSVTable(header: header, columns: columns)
        table.source = source
        table.lines = lines
        return table
    }

    /// Splits text into records of fields, tracking the 1-based line each record starts on.
    ///
    /// A byte-level state machine over UTF-8 (delimiter, quote and line breaks are ASCII, so they
    /// never occur inside a multi-byte character).
    public static func records(_ text: String, delimiter: Character) throws -> [(line: Int, fields: [String])] {
        guard let d = delimiter.asciiValue else {
            throw CSVError.malformed(line: 1, column: 1, reason: "the delimiter must be an ASCII character")
        }
        let quote = UInt8(ascii: "\""), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        var out: [(Int, [String])] = []
        var text = text
        return try text.withUTF8 { bytes -> [(Int, [String])] in
            var fields: [String] = []
            var field: [UInt8] = []
            var inQuotes = false, quotedField = false, afterQuote = false
            var line = 1, recordLine = 1
            var i = 0
            let n = bytes.count
            func endField() {
                fields.append(String(decoding: field, as: UTF8.self))
                field.removeAll(keepingCapacity: true)
                quotedField = false; afterQuote = false
            }
            while i < n {
                let c = bytes[i]
                i += 1
                if inQuotes {
                    if c == quote {
                        if i < n && bytes[i] == quote { field.append(quote); i += 1; continue }
                        inQuotes = false; afterQuote = true
                    } else {
                        if c == lf { line += 1 }
                        field.append(c)
                    }
                    continue
                }
                if c == d { endField(); continue }
                if c == lf || c == cr {
                    if c == cr && i < n && bytes[i] == lf { i += 1 }
                    endField()
                    out.append((recordLine, fields)); fields = []
                    line += 1; recordLine = line
                    continue
                }
                if afterQuote {
                    throw CSVError.malformed(line: line, column: fields.count + 1, reason: "text after a closing quote")
                }
                if c == quote {
                    if field.isEmpty && !quotedField { inQuotes = true; quotedField = true; continue }
                    throw CSVError.malformed(line: line, column: fields.count + 1, reason: "a quote inside an unquoted field")
                }
                field.append(c)
            }
            if inQuotes { throw CSVError.malformed(line: recordLine, column: fields.count + 1, reason: "a quoted field is never closed") }
            if !field.isEmpty || !fields.isEmpty || quotedField { endField(); out.append((recordLine, fields)) }
            return out
        }
    }

    /// Index of a column by name.
    public func index(of name: String) throws -> Int {
        guard let j = header.firstIndex(of: name) else { throw CSVError.unknownColumn(name: name, available: header) }
        return j
    }

    /// A column by name.
    public func column(_ name: String) throws -> CSVColumn { columns[try index(of: name)] }

    /// The rows at `indices`, as a new table.
    public func rows(_ indices: [Int]) -> CSVTable {
        let cols = columns.map { c -> CSVColumn in
            switch c {
            case .numeric(let v): return .numeric(indices.map { v[$0] })
            case .categorical(let v): return .categorical(indices.map { v[$0] })
            }
        }
        return CSVTable(validated: header, columns: cols, rowCount: indices.count, source: source, lines: indices.map { lines[$0] })
    }

    /// The table without the named columns.
    public func dropping(_ names: [String]) throws -> CSVTable {
        for n in names { _ = try index(of: n) }
        let keep = header.indices.filter { !names.contains(header[$0]) }
        return CSVTable(validated: keep.map { header[$0] }, columns: keep.map { columns[$0] }, rowCount: rowCount, source: source, lines: lines)
    }

    /// Writes the table as CSV text (quoting fields that need it; missing values as empty fields).
    public func csvText() -> String {
        func quote(_ s: String) -> String {
            s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
                ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
        }
        var out = header.map(quote).joined(separator: ",") + "\n"
        for i in 0..<rowCount {
            out += columns.map { c -> String in
                switch c {
                case .numeric(let v): return v[i].isNaN ? "" : formatNumber(v[i])
                case .categorical(let v): return v[i].map(quote) ?? ""
                }
            }.joined(separator: ",") + "\n"
        }
        return out
    }
}

/// `s` without leading and trailing spaces and tabs (cheap when there are none).
@inline(__always)
func trimmedSpaces(_ s: String) -> String {
    guard let f = s.utf8.first, let l = s.utf8.last else { return s }
    if f != 0x20 && f != 0x09 && l != 0x20 && l != 0x09 { return s }
    return s.trimmingCharacters(in: .whitespaces)
}

/// Shortest text that reads back to the same Double (`3` rather than `3.0` for integers).
public func formatNumber(_ v: Double) -> String {
    if v == v.rounded() && abs(v) < 1e15 { return String(Int(v)) }
    return "\(v)"
}

extension Matrix {
    /// A table with the given column names (all numeric).
    public func table(header: [String]) throws -> CSVTable {
        try CSVTable(header: header, columns: (0..<columns).map { .numeric(column($0)) })
    }
}
