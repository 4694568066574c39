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
        /// `[N, 28, 28]` float32 pixel intensities scaled to [0, 1] (raw byte / 255).
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

    /// Loads a split (from the bundled files unless `directory` is given).
    /// - Throws: ``IDXError`` for unreadable or corrupt files, and when the files do not hold
    ///   N×28×28 uint8 images with N labels in 0…9.
    public static func load(_ split: Split, directory: URL? = nil) throws -> Data {
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
        let scaled = images.data.map { Float($0) / 255 }
        return Data(images: Tensor(scaled, shape: images.shape), labels: digits)
    }
}
