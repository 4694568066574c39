import Foundation
import Tensors
import SwiftLearnCore

/// A change applied to images for preprocessing or augmentation (torchvision's transforms).
///
/// Images are float tensors shaped `[C, H, W]`; a batch `[N, C, H, W]` is transformed image by
/// image with independent random draws. Random transforms draw from the generator they are
/// given, so a seeded generator (a ``DataLoader`` hands one to each batch) reproduces them.
/// Results are float32.
public protocol ImageTransform {
    /// Transforms one image `[C, H, W]` or a batch `[N, C, H, W]`.
    func callAsFunction(_ images: Tensor, generator: RandomGenerator) -> Tensor
}

/// Applies transforms in order (torchvision's `Compose`).
public struct ComposedTransform: ImageTransform {
    /// The transforms, first applied first.
    public let transforms: [ImageTransform]

    /// Creates the composition.
    public init(_ transforms: [ImageTransform]) { self.transforms = transforms }

    public func callAsFunction(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        transforms.reduce(images) { x, t in t(x, generator: generator) }
    }
}

/// Per-channel standardisation: (x − meanᶜ) / stdᶜ (torchvision's `Normalize`).
public struct Normalize: ImageTransform {
    /// Channel means.
    public let mean: [Double]
    /// Channel standard deviations (> 0).
    public let std: [Double]

    /// Creates the transform; `mean` and `std` have one entry per channel (or one for all).
    public init(mean: [Double], std: [Double]) {
        ensure(mean.count == std.count && !mean.isEmpty, "Normalize: mean and std need the same, non-zero length")
        ensure(std.allSatisfy { $0 > 0 }, "Normalize: std values must be > 0, got \(std)")
        self.mean = mean
        self.std = std
    }

    public func callAsFunction(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        let (batch, c, h, w) = imageDimensions(images, "Normalize")
        ensure(mean.count == 1 || mean.count == c, "Normalize: \(mean.count) means for \(c) channels")
        var values = images.detached().toArray(as: Float.self)
        let plane = h * w
        values.withUnsafeMutableBufferPointer { v in
            for n in 0..<batch {
                for ch in 0..<c {
                    let m = Float(mean.count == 1 ? mean[0] : mean[ch])
                    let s = Float(1 / (std.count == 1 ? std[0] : std[ch]))
                    let base = (n * c + ch) * plane
                    for i in base..<(base + plane) { v[i] = (v[i] - m) * s }
                }
            }
        }
        return Tensor(values, shape: images.shape)
    }
}

/// Pads each image by `padding` pixels of `fill`, then cuts a random `height × width` window
/// (torchvision's `RandomCrop` with padding; the classic CIFAR/MNIST shift augmentation).
public struct RandomCrop: ImageTransform {
    /// Output height and width.
    public let height: Int, width: Int
    /// Border added on every side before cropping.
    public let padding: Int
    /// Value of the added border.
    public let fill: Double

    /// Creates the transform.
    public init(height: Int, width: Int, padding: Int = 0, fill: Double = 0) {
        ensure(height > 0 && width > 0 && padding >= 0, "RandomCrop: bad size \(height)×\(width) or padding \(padding)")
        self.height = height
        self.width = width
        self.padding = padding
        self.fill = fill
    }

    /// A square crop.
    public init(size: Int, padding: Int = 0, fill: Double = 0) { self.init(height: size, width: size, padding: padding, fill: fill) }

    public func callAsFunction(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        let (batch, c, h, w) = imageDimensions(images, "RandomCrop")
        let ph = h + 2 * padding, pw = w + 2 * padding
        ensure(height <= ph && width <= pw, "RandomCrop: crop \(height)×\(width) is larger than the padded image \(ph)×\(pw)")
        let src = images.detached().toArray(as: Float.self)
        var out = [Float](repeating: Float(fill), count: batch * c * height * width)
        for n in 0..<batch {
            let top = TransformRandom.int(below: ph - height + 1, generator) - padding
            let left = TransformRandom.int(below: pw - width + 1, generator) - padding
            for ch in 0..<c {
                let s = (n * c + ch) * h * w, d = (n * c + ch) * height * width
                for y in 0..<height {
                    let sy = y + top
                    guard sy >= 0 && sy < h else { continue }
                    for x in 0..<width {
                        let sx = x + left
                        if sx >= 0 && sx < w { out[d + y * width + x] = src[s + sy * w + sx] }
                    }
                }
            }
        }
        return Tensor(out, shape: Array(images.shape.dropLast(2)) + [height, width])
    }
}

/// Mirrors each image left–right with probability `probability` (torchvision's
/// `RandomHorizontalFlip`).
public struct RandomHorizontalFlip: ImageTransform {
    /// Chance of flipping each image.
    public let probability: Double

    /// Creates the transform (default probability 0.5).
    public init(probability: Double = 0.5) {
        ensure(probability >= 0 && probability <= 1, "RandomHorizontalFlip: probability \(probability) must be in [0, 1]")
        self.probability = probability
    }

    public func callAsFunction(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        let (batch, c, h, w) = imageDimensions(images, "RandomHorizontalFlip")
        var values = images.detached().toArray(as: Float.self)
        for n in 0..<batch where TransformRandom.uniform(generator) < probability {
            for row in 0..<(c * h) {
                let base = n * c * h * w + row * w
                values[base..<(base + w)].reverse()
            }
        }
        return Tensor(values, shape: images.shape)
    }
}

/// Rotates each image about its centre by an angle drawn uniformly from
/// [−`degrees`, `degrees`], with bilinear interpolation; pixels from outside the image take
/// `fill` (torchvision's `RandomRotation` with `InterpolationMode.BILINEAR`).
public struct RandomRotation: ImageTransform {
    /// Largest rotation in degrees.
    public let degrees: Double
    /// Value of pixels rotated in from outside.
    public let fill: Double

    /// Creates the transform.
    public init(degrees: Double, fill: Double = 0) {
        ensure(degrees >= 0, "RandomRotation: degrees \(degrees) must be >= 0")
        self.degrees = degrees
        self.fill = fill
    }

    public func callAsFunction(_ images: Tensor, generator: RandomGenerator) -> Tensor {
        let (batch, c, h, w) = imageDimensions(images, "RandomRotation")
        let src = images.detached().toArray(as: Float.self)
        var out = [Float](repeating: 0, count: src.count)
        for n in 0..<batch {
            let angle = (TransformRandom.uniform(generator) * 2 - 1) * degrees * Double.pi / 180
            RandomRotation.rotate(src, into: &out, offset: n * c * h * w, channels: c, height: h, width: w,
                                  angle: angle, fill: Float(fill))
        }
        return Tensor(out, shape: images.shape)
    }

    /// Rotates every image of `images` (`[C, H, W]` or `[N, C, H, W]`) counter-clockwise by
    /// `degrees` about its centre (torchvision's `functional.rotate`, bilinear).
    public static func rotated(_ images: Tensor, degrees: Double, fill: Double = 0) -> Tensor {
        let (batch, c, h, w) = imageDimensions(images, "rotated")
        let src = images.detached().toArray(as: Float.self)
        var out = [Float](repeating: 0, count: src.count)
        for n in 0..<batch {
            rotate(src, into: &out, offset: n * c * h * w, channels: c, height: h, width: w,
                   angle: degrees * Double.pi / 180, fill: Float(fill))
        }
        return Tensor(out, shape: images.shape)
    }

    /// Rotates one image counter-clockwise by `angle` radians (inverse mapping, bilinear).
    static func rotate(_ src: [Float], into out: inout [Float], offset: Int, channels: Int, height: Int, width: Int,
                       angle: Double, fill: Float) {
        let cy = Double(height - 1) / 2, cx = Double(width - 1) / 2
        let cosA = cos(angle), sinA = sin(angle)
        for y in 0..<height {
            for x in 0..<width {
                // Source position of output pixel (x, y): rotate back by −angle.
                let dx = Double(x) - cx, dy = Double(y) - cy
                let sx = cosA * dx - sinA * dy + cx
                let sy = sinA * dx + cosA * dy + cy
                let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                let fx = Float(sx - Double(x0)), fy = Float(sy - Double(y0))
                for ch in 0..<channels {
                    let plane = offset + ch * height * width
                    func at(_ yy: Int, _ xx: Int) -> Float {
                        (yy >= 0 && yy < height && xx >= 0 && xx < width) ? src[plane + yy * width + xx] : fill
                    }
                    let top = at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx
                    let bottom = at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx
                    out[plane + y * width + x] = top * (1 - fy) + bottom * fy
                }
            }
        }
    }
}

/// (batch, channels, height, width) of an image `[C, H, W]` or batch `[N, C, H, W]`.
func imageDimensions(_ t: Tensor, _ op: String) -> (Int, Int, Int, Int) {
    switch t.rank {
    case 3: return (1, t.shape[0], t.shape[1], t.shape[2])
    case 4: return (t.shape[0], t.shape[1], t.shape[2], t.shape[3])
    default: fatalError("\(op): expected an image [C, H, W] or a batch [N, C, H, W], got shape \(t.shape)")
    }
}

/// Uniform draws for transforms from a shared ``RandomGenerator``.
enum TransformRandom {
    /// Uniform in [0, 1) with 53 random bits.
    static func uniform(_ g: RandomGenerator) -> Double { Double(g.nextRawBits(count: 1)[0] >> 11) * 0x1.0p-53 }

    /// Uniform integer in 0..<n.
    static func int(below n: Int, _ g: RandomGenerator) -> Int { Swift.min(n - 1, Int(uniform(g) * Double(n))) }
}
