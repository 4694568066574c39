import Foundation
import Testing
import Tensors
import Datasets

@Suite struct MNISTTests {
    /// The test split is read once for the suite (10,000 images).
    static let test: MNIST.Data = try! MNIST.load(.test)

    static func temporaryFile(_ bytes: [UInt8], name: String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("swiftlearn-mnist-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let url = dir.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url
    }

    @Test func realTestSplitHasTheKnownShapeAndLabelCounts() {
        let t = Self.test
        #expect(t.images.shape == [10000, 28, 28])
        #expect(t.images.dtype == .float32)
        #expect(t.count == 10000)
        // Class counts of the MNIST test set (LeCun's page / torchvision).
        var counts = [Int](repeating: 0, count: 10)
        for l in t.labels { counts[l] += 1 }
        #expect(counts == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009])
        #expect(Array(t.labels.prefix(10)) == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9])
        let pixels = t.images.toArray(as: Float.self)
        #expect(pixels.min() == 0 && pixels.max() == 1)
        // Mean intensity of the test images: 0.1325 (the usual normalisation constant is 0.1307 for train).
        let mean = pixels.reduce(0, +) / Float(pixels.count)
        #expect(Swift.abs(mean - 0.1325) < 0.001)
    }

    @Test func trainLabelsHaveTheKnownCounts() throws {
        let url = try MNIST.files(.train).labels
        let labels = try IDXArray.read(contentsOf: url)
        #expect(labels.shape == [60000] && labels.elementType == .uint8)
        var counts = [Int](repeating: 0, count: 10)
        for b in labels.data { counts[Int(b)] += 1 }
        #expect(counts == [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949])
    }

    @Test func idxParsesEveryElementTypeBigEndian() throws {
        // int16 [2, 2]: 1, -2, 300, -32768
        let bytes: [UInt8] = [0, 0, 0x0B, 2, 0, 0, 0, 2, 0, 0, 0, 2, 0, 1, 0xFF, 0xFE, 0x01, 0x2C, 0x80, 0x00]
        let a = try IDXArray(bytes: bytes)
        #expect(a.shape == [2, 2] && a.values == [1, -2, 300, -32768])
        let f = try IDXArray(bytes: [0, 0, 0x0D, 1, 0, 0, 0, 1] + Array(Float(1.5).bitPattern.bigEndianBytes))
        #expect(f.values == [1.5])
        #expect(f.tensor(dtype: .float64).scalars == [1.5])
    }

    @Test func corruptFilesThrowTypedErrors() throws {
        #expect(throws: IDXError.badMagic([1, 0, 8, 1])) { try IDXArray(bytes: [1, 0, 8, 1, 0, 0, 0, 0]) }
        #expect(throws: IDXError.unknownElementType(0x07)) { try IDXArray(bytes: [0, 0, 7, 1, 0, 0, 0, 0]) }
        #expect(throws: IDXError.truncated(expected: 12, got: 10)) { try IDXArray(bytes: [0, 0, 8, 1, 0, 0, 0, 4, 1, 2]) }
        #expect(throws: IDXError.truncated(expected: 8, got: 6)) { try IDXArray(bytes: [0, 0, 8, 1, 0, 0]) }
        #expect(throws: IDXError.self) { try IDXArray(bytes: [0, 0, 8, 1, 0, 0, 0, 1, 5, 6]) }   // trailing byte
        #expect(throws: IDXError.self) { try IDXArray(bytes: [0, 0, 8, 0]) }
        // A damaged gzip file: flip bytes inside the compressed stream of the real label file.
        var gz = try [UInt8](Data(contentsOf: MNIST.files(.test).labels))
        for i in 100..<140 { gz[i] ^= 0x5A }
        let damaged = try Self.temporaryFile(gz, name: "t10k-labels-idx1-ubyte.gz")
        #expect(throws: IDXError.self) { try IDXArray.read(contentsOf: damaged) }
        // Truncated gzip.
        let cut = try Self.temporaryFile(Array(gz.prefix(1000)), name: "cut.gz")
        #expect(throws: IDXError.self) { try IDXArray.read(contentsOf: cut) }
        #expect(throws: IDXError.self) { try IDXArray.read(contentsOf: URL(fileURLWithPath: "/nonexistent/mnist.gz")) }
    }

    @Test func loadFromDirectoryChecksContent() throws {
        // Images whose labels file has the wrong length.
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 28, 0, 0, 0, 28] + [UInt8](repeating: 7, count: 784)
        let labels: [UInt8] = [0, 0, 8, 1, 0, 0, 0, 2, 3, 4]
        let dir = try Self.temporaryFile(images, name: "t10k-images-idx3-ubyte").deletingLastPathComponent()
        try Data(labels).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        #expect(throws: IDXError.self) { try MNIST.load(.test, directory: dir) }
        try Data([0, 0, 8, 1, 0, 0, 0, 1, 3] as [UInt8]).write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let one = try MNIST.load(.test, directory: dir)
        #expect(one.count == 1 && one.labels == [3])
        #expect(Swift.abs(one.images.toArray(as: Float.self)[0] - 7 / 255) < 1e-7)
    }
}

extension UInt32 {
    var bigEndianBytes: [UInt8] { [UInt8(self >> 24), UInt8(self >> 16 & 0xFF), UInt8(self >> 8 & 0xFF), UInt8(self & 0xFF)] }
}
