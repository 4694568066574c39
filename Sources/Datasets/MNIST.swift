import Foundation
import Tensors

/// The MNIST handwritten digits (LeCun, Cortes & Burges): 60,000 training and 10,000 test
/// grey-scale images of 28×28 pixels, labels 0–9, bundled as the original IDX files
/// (gzip-compressed; provenance and checksums in `Data/SOURCES.md`).
///
/// ```swift
/// let train = try MNIST.load(.train)
/// train.images.shape     // [60000, 28, 28], float32 in [0, 1]
/// train.labels[0]        // 5
/// ```
public enum MNIST {
    /// Which half of the data.
    public enum Split: String, CaseIterable, Sendable {
        /// 60,000 images (writers of both NIST sets).
        case train
        /// 10,000 images (the standard test set).
        case test

        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// Images and labels of one split.
    public struct Data {
        /// `[N, 28, 28]` float32 pixel intensities: raw byte / 255 in [0, 1], or standardised
        /// when ``MNIST/load(_:directory:standardization:)`` was given a mean and std.
        public let images: Tensor
        /// Digit of each image, 0–9.
        public let labels: [Int]

        /// Number of images.
        public var count: Int { labels.count }

        /// The labels as an int64 tensor `[N]` (class indices for cross-entropy).
        public var labelsTensor: Tensor { Tensor(labels.map(Int64.init)) }
    }

    /// Image side length.
    public static let side = 28

    /// URLs of a split's image and label files: the bundled ones, or those in `directory`
    /// (named as the originals, `train-images-idx3-ubyte[.gz]`, …).
    public static func files(_ split: Split, directory: URL? = nil) throws -> (images: URL, labels: URL) {
        let names = ("\(split.prefix)-images-idx3-ubyte", "\(split.prefix)-labels-idx1-ubyte")
        if let directory {
            func find(_ name: String) throws -> URL {
                for candidate in [name + ".gz", name] {
                    let url = directory.appendingPathComponent(candidate)
                    if FileManager.default.fileExists(atPath: url.path) { return url }
                }
                throw IDXError.unreadable(path: directory.appendingPathComponent(name).path, reason: "no such file (.gz or plain)")
            }
            return (try find(names.0), try find(names.1))
        }
        func bundled(_ name: String) throws -> URL {
            guard let url = Bundle.module.url(forResource: "Data/mnist/\(name)", withExtension: "gz") else {
                throw IDXError.unreadable(path: "Data/mnist/\(name).gz", reason: "bundled resource missing")
            }
            return url
        }
        return (try bundled(names.0), try bundled(names.1))
    }

    /// The usual standardisation constants (mean and std of the training pixels in [0, 1]).
    public static let trainMeanStd = (mean: 0.1307, std: 0.3081)

    /// Loads a split (from the bundled files unless `directory` is given).
    /// - Parameter standardization: when given, pixels become `(byte/255 − mean) / std`, computed
    ///   while filling the tensor (no full-size temporaries; e.g. ``trainMeanStd``).
    /// - Throws: ``IDXError`` for unreadable or corrupt files, and when the files do not hold
    ///   N×28×28 uint8 images with N labels in 0…9.
    public static func load(_ split: Split, directory: URL? = nil,
                            standardization: (mean: Double, std: Double)? = nil) throws -> Data {
        let urls = try files(split, directory: directory)
        let images = try IDXArray.read(contentsOf: urls.images)
        let labels = try IDXArray.read(contentsOf: urls.labels)
        guard images.elementType == .uint8, images.shape.count == 3, images.shape[1] == side, images.shape[2] == side else {
            throw IDXError.unexpectedContent("MNIST images must be uint8 [N, 28, 28], got \(images.elementType) \(images.shape)")
        }
        guard labels.elementType == .uint8, labels.shape == [images.shape[0]] else {
            throw IDXError.unexpectedContent("MNIST labels must be uint8 [\(images.shape[0])], got \(labels.elementType) \(labels.shape)")
        }
        let digits = labels.data.map(Int.init)
        guard digits.allSatisfy({ $0 <= 9 }) else { throw IDXError.unexpectedContent("MNIST labels must be digits 0–9") }
        let (mean, std) = standardization ?? (0, 1)
        guard std > 0, mean.isFinite, std.isFinite else {
            throw IDXError.unexpectedContent("standardization needs a finite mean and a positive std, got \(mean), \(std)")
        }
        // Filled straight into the tensor's buffer: the only full-size float copy made.
        let n = images.count
        let storage = TensorStorage(byteCount: n * MemoryLayout<Float>.stride)
        let out = storage.base.assumingMemoryBound(to: Float.self)
        let scale = Float(1 / (255 * std)), shift = Float(mean / std)
        images.data.withUnsafeBufferPointer { src in
            for i in 0..<n { out[i] = Float(src[i]) * scale - shift }
        }
        return Data(images: Tensor(storage: storage, shape: images.shape, dtype: .float32), labels: digits)
    }
}
