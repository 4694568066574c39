import Foundation

/// A PNG encoder for 8-bit greyscale and RGB images (sample grids, reconstructions, plots of
/// images): one IHDR, one zlib-wrapped DEFLATE IDAT written with this module's compressor, IEND.
///
/// ```swift
/// let bytes = try PNG.encode(pixels: gray, width: 28, height: 28)         // [UInt8], 1 byte a pixel
/// try Tensor.rand([3, 64, 64]).writePNG(to: URL(fileURLWithPath: "noise.png"))
/// ```
///
/// Every row uses filter type 0 (None); the DEFLATE stream's own LZ77 finds the repeats of
/// image rows, which is enough for the small grids this library writes.
public enum PNG {
    /// Layout of the pixel bytes.
    public enum ColorType: Sendable {
        /// One byte a pixel.
        case gray
        /// Three bytes a pixel, red, green, blue.
        case rgb

        var channels: Int { self == .gray ? 1 : 3 }
        var code: UInt8 { self == .gray ? 0 : 2 }
    }

    /// Errors of encoding.
    public enum EncodingError: Error, CustomStringConvertible, Equatable {
        /// Width or height out of PNG's range, or the pixel count does not match them.
        case invalidSize(String)

        public var description: String {
            switch self {
            case .invalidSize(let m): return "PNG: \(m)"
            }
        }
    }

    /// The largest side written (PNG allows 2³¹−1; this bound keeps a mistaken size from
    /// allocating gigabytes).
    public static let maximumSide = 1 << 15

    /// The PNG file of `pixels`, rows top to bottom (`width × height × channels` bytes).
    /// - Throws: ``EncodingError/invalidSize(_:)`` when the sizes do not fit.
    public static func encode(pixels: [UInt8], width: Int, height: Int, color: ColorType = .gray) throws -> [UInt8] {
        guard (1...maximumSide).contains(width), (1...maximumSide).contains(height) else {
            throw EncodingError.invalidSize("width and height must be 1 to \(maximumSide), got \(width)×\(height)")
        }
        let rowBytes = width * color.channels
        guard pixels.count == rowBytes * height else {
            throw EncodingError.invalidSize("\(width)×\(height) \(color) needs \(rowBytes * height) bytes, got \(pixels.count)")
        }
        var raw = [UInt8]()
        raw.reserveCapacity((rowBytes + 1) * height)
        for y in 0..<height {
            raw.append(0)
            raw.append(contentsOf: pixels[(y * rowBytes)..<((y + 1) * rowBytes)])
        }
        var zlib: [UInt8] = [0x78, 0x01]          // deflate, 32 KiB window; (0x78·256 + 0x01) % 31 == 0
        zlib += Deflate.compress(raw)
        appendBigEndian(adler32(raw), to: &zlib)

        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var header = [UInt8]()
        appendBigEndian(UInt32(width), to: &header)
        appendBigEndian(UInt32(height), to: &header)
        header += [8, color.code, 0, 0, 0]          // bit depth, colour type, deflate, adaptive filters, no interlace
        appendChunk("IHDR", header, to: &out)
        appendChunk("IDAT", zlib, to: &out)
        appendChunk("IEND", [], to: &out)
        return out
    }

    /// Encodes and writes the file atomically.
    /// - Throws: ``EncodingError`` or the file system's error.
    public static func write(pixels: [UInt8], width: Int, height: Int, color: ColorType = .gray, to url: URL) throws {
        try Data(encode(pixels: pixels, width: width, height: height, color: color)).write(to: url, options: .atomic)
    }

    private static func appendChunk(_ type: String, _ body: [UInt8], to out: inout [UInt8]) {
        appendBigEndian(UInt32(body.count), to: &out)
        let typed = Array(type.utf8) + body
        out += typed
        appendBigEndian(CRC32.checksum(typed), to: &out)
    }

    private static func appendBigEndian(_ v: UInt32, to out: inout [UInt8]) {
        out += [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)]
    }

    /// Adler-32 (RFC 1950), the zlib stream's checksum.
    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var i = 0
        while i < bytes.count {
            let end = Swift.min(i + 5552, bytes.count)          // the most bytes before the sums can overflow
            while i < end { a += UInt32(bytes[i]); b += a; i += 1 }
            a %= 65521; b %= 65521
        }
        return (b << 16) | a
    }
}

extension Tensor {
    /// Writes a `[H, W]`, `[1, H, W]` or `[3, H, W]` image of values in [0, 1] (clamped; NaN
    /// becomes 0) as an 8-bit PNG.
    /// - Throws: ``PNG/EncodingError`` for another shape, or the file system's error.
    public func writePNG(to url: URL) throws {
        let (channels, h, w): (Int, Int, Int)
        switch shape.count {
        case 2: (channels, h, w) = (1, shape[0], shape[1])
        case 3 where shape[0] == 1 || shape[0] == 3: (channels, h, w) = (shape[0], shape[1], shape[2])
        default: throw PNG.EncodingError.invalidSize("an image tensor is [H, W], [1, H, W] or [3, H, W], got \(shape)")
        }
        let values = to(.float64).contiguous().toArray(as: Double.self)
        var pixels = [UInt8](repeating: 0, count: values.count)
        // Channel-planar [C, H, W] to interleaved rows.
        for c in 0..<channels {
            for i in 0..<(h * w) {
                let v = values[c * h * w + i]
                pixels[i * channels + c] = v.isNaN ? 0 : UInt8((Swift.min(Swift.max(v, 0), 1) * 255).rounded())
            }
        }
        try PNG.write(pixels: pixels, width: w, height: h, color: channels == 1 ? .gray : .rgb, to: url)
    }
}
