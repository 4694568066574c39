import Foundation
import Testing
import LLM

/// The GGUF reader and writer against gguf-py 0.19.0 (scripts/fixtures/make_gguf_fixtures.py), and
/// against damaged files.
@Suite struct GGUFTests {
    static let reference = try! FixtureFiles.json("gguf_reference.json") as! [String: Any]

    /// The fixture value rendered as gguf-py's `contents()` flattens it (integers as decimal strings).
    static func flat(_ v: GGUFValue) -> Any {
        switch v {
        case .string(let s): return s
        case .bool(let b): return b
        case .float32(let f): return Double(f)
        case .float64(let d): return d
        case .uint64(let u): return String(u)
        case .array(let a): return flat(a)
        default: return String(v.intValue!)
        }
    }

    static func flat(_ a: GGUFArray) -> [Any] {
        switch a {
        case .string(let xs): return xs
        case .bool(let xs): return xs
        case .float32(let xs): return xs.map { Double($0) }
        case .float64(let xs): return xs
        case .uint64(let xs): return xs.map { String($0) }
        case .arrays(let xs): return xs.flatMap(flat)
        default: return a.intValues!.map { String($0) }
        }
    }

    static func types(_ v: GGUFValue) -> [String] {
        guard case .array(var a) = v else { return ["\(v.type)"] }
        var out = ["array"]
        while case .arrays(let inner) = a, let first = inner.first { out.append("array"); a = first }
        out.append("\(a.elementType)")
        return out
    }

    @Test func readsWhatGGUFPyWrote() throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("gguf_reference.gguf"))
        #expect(file.version == 3)
        #expect(file.alignment == 64)
        #expect(file.metadata.keys == Self.reference["keys"] as! [String])
        let meta = Self.reference["metadata"] as! [String: [String: Any]]
        for key in file.metadata.keys {
            let v = try #require(file.metadata[key])
            let want = try #require(meta[key])
            #expect(Self.types(v) == want["types"] as! [String], "\(key)")
            if case .bool(let b) = v { #expect(want["value"] as? Bool == b, "\(key)"); continue }
            #expect(String(describing: Self.flat(v)) == String(describing: want["value"]!), "\(key)")
        }
        let tensors = Self.reference["tensors"] as! [[String: Any]]
        #expect(file.tensors.map(\.name) == tensors.map { $0["name"] as! String })
        for (t, want) in zip(file.tensors, tensors) {
            #expect(t.dimensions == want["dimensions"] as! [Int], "\(t.name)")
            #expect(Int(t.type.id) == want["type"] as! Int, "\(t.name)")
            #expect(t.offset == want["offset"] as! Int, "\(t.name)")
            #expect(t.byteCount == want["bytes"] as! Int, "\(t.name)")
        }
        // Plain types decode to gguf-py's values exactly.
        for (t, want) in zip(file.tensors, tensors) where t.type.name == "f32" || t.type.name == "f16" {
            let bits: [Int] = file.withBytes(of: t) { raw in
                t.type.name == "f32"
                    ? (0..<t.elementCount).map { Int(raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)) }
                    : (0..<t.elementCount).map { Int(Float(Float16(bitPattern: raw.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self))).bitPattern) }
            }
            #expect(bits == want["value_bits"] as! [Int], "\(t.name)")
        }
        #expect(try file.metadata.string("general.architecture") == "llama")
        #expect(try file.metadata.int("test.u32") == 4_000_000_000)
        #expect(try file.metadata.double("test.f32") == Double(Float(0.1)))
        #expect(throws: LLMError.self) { try file.metadata.int("test.string") }
        #expect(throws: LLMError.self) { try file.metadata.string("no.such.key") }
        #expect(throws: LLMError.self) { try file.metadata.int("test.u8", in: 0...10) }
    }

    @Test func writerRoundTripsEveryValueTypeAndGGUFPyLayout() throws {
        let file = try GGUFFile(contentsOf: FixtureFiles.url("gguf_reference.gguf"))
        var w = try GGUFWriter(alignment: 64)
        for key in file.metadata.keys where key != "general.alignment" { w.set(key, file.metadata[key]!) }
        for t in file.tensors { try w.addTensor(name: t.name, dimensions: t.dimensions, typeID: t.type.id, bytes: file.withBytes(of: t) { Array($0) }) }
        let again = try GGUFFile(data: Data(w.encode()))
        #expect(again.metadata.values == file.metadata.values)
        #expect(again.tensors == file.tensors)
        for t in file.tensors { #expect(again.withBytes(of: t) { Array($0) } == file.withBytes(of: t) { Array($0) }) }
        // Byte for byte what gguf-py wrote, up to the key order (gguf-py writes general.alignment second).
        #expect(again.dataOffset == file.dataOffset)
    }

    @Test func writerRefusesInconsistentTensors() throws {
        var w = try GGUFWriter()
        #expect(throws: LLMError.self) { try w.addTensor(name: "a", dimensions: [31], typeID: 8, bytes: [UInt8](repeating: 0, count: 34)) }
        #expect(throws: LLMError.self) { try w.addTensor(name: "a", dimensions: [32], typeID: 8, bytes: [UInt8](repeating: 0, count: 33)) }
        #expect(throws: LLMError.self) { try w.addTensor(name: "a", dimensions: [4], typeID: 4, bytes: []) }
        #expect(throws: LLMError.self) { try w.addTensor(name: String(repeating: "x", count: 64), dimensions: [1], typeID: 0, bytes: [0, 0, 0, 0]) }
        try w.addTensor(name: "a", dimensions: [1], typeID: 0, bytes: [0, 0, 0, 0])
        #expect(throws: LLMError.self) { try w.addTensor(name: "a", dimensions: [1], typeID: 0, bytes: [0, 0, 0, 0]) }
        #expect(throws: LLMError.self) { try GGUFWriter(alignment: 48) }
    }

    /// Every prefix of a valid file is refused with a typed error (the fixture's data section is
    /// needed by its tensors, so no proper prefix is a valid file).
    @Test func everyTruncationThrows() throws {
        let bytes = try Data(contentsOf: FixtureFiles.url("gguf_reference.gguf"))
        let last = try #require(try GGUFFile(data: bytes).tensors.last)
        for n in 0..<(last.offset + last.byteCount) {
            #expect(throws: LLMError.self, "\(n) bytes") { try GGUFFile(data: bytes.prefix(n)) }
        }
    }

    /// Every single-byte change of the header and directory either still parses into a consistent
    /// file or throws a typed error — never a crash or an out-of-range read.
    @Test func everyByteFlipIsCaughtOrConsistent() throws {
        let bytes = [UInt8](try Data(contentsOf: FixtureFiles.url("gguf_reference.gguf")))
        let good = try GGUFFile(data: Data(bytes))
        for k in 0..<good.dataOffset {
            for v: UInt8 in [0x00, 0xFF, bytes[k] ^ 0x01, bytes[k] ^ 0x80] where v != bytes[k] {
                var b = bytes
                b[k] = v
                do {
                    let f = try GGUFFile(data: Data(b))
                    for t in f.tensors { #expect(t.offset >= f.dataOffset && t.offset + t.byteCount <= b.count) }
                } catch let e as LLMError {
                    #expect(!e.description.isEmpty)
                } catch {
                    Issue.record("byte \(k) = \(v): untyped error \(error)")
                }
            }
        }
    }

    @Test func hostileCountsAreRefusedBeforeAllocating() throws {
        func header(tensors: UInt64, kvs: UInt64) -> [UInt8] {
            var b: [UInt8] = Array("GGUF".utf8)
            withUnsafeBytes(of: UInt32(3).littleEndian) { b += $0 }
            withUnsafeBytes(of: tensors.littleEndian) { b += $0 }
            withUnsafeBytes(of: kvs.littleEndian) { b += $0 }
            return b
        }
        #expect(throws: LLMError.self) { try GGUFFile(data: Data(header(tensors: .max, kvs: 0))) }
        #expect(throws: LLMError.self) { try GGUFFile(data: Data(header(tensors: 0, kvs: 1 << 40))) }
        // A key whose string length claims 2^63 bytes.
        var b = header(tensors: 0, kvs: 1)
        withUnsafeBytes(of: (UInt64(1) << 63).littleEndian) { b += $0 }
        #expect(throws: LLMError.self) { try GGUFFile(data: Data(b)) }
        // An array of 2^40 uint64 values.
        b = header(tensors: 0, kvs: 1)
        withUnsafeBytes(of: UInt64(1).littleEndian) { b += $0 }
        b += Array("k".utf8)
        withUnsafeBytes(of: UInt32(9).littleEndian) { b += $0 }
        withUnsafeBytes(of: UInt32(10).littleEndian) { b += $0 }
        withUnsafeBytes(of: (UInt64(1) << 40).littleEndian) { b += $0 }
        #expect(throws: LLMError.self) { try GGUFFile(data: Data(b)) }
        // Version 1 and big-endian files are named as such.
        var v1 = header(tensors: 0, kvs: 0)
        v1[4] = 1
        #expect(throws: LLMError.unsupported(path: "<memory>", what: "GGUF version 1 (32-bit counts; convert the file with a current llama.cpp)")) { try GGUFFile(data: Data(v1)) }
        var be = header(tensors: 0, kvs: 0)
        be[4] = 0; be[7] = 3
        #expect(throws: LLMError.unsupported(path: "<memory>", what: "a big-endian GGUF file")) { try GGUFFile(data: Data(be)) }
        #expect(throws: LLMError.self) { try GGUFFile(contentsOf: URL(fileURLWithPath: "/nonexistent.gguf")) }
        #expect(throws: LLMError.self) { try GGUFFile(contentsOf: URL(fileURLWithPath: "/tmp")) }
    }
}
