import Foundation
import SwiftLearnCore
import Tensors

/// Tiles a batch of images into one image, row by row (torchvision's `make_grid`): `images` is
/// `[N, C, H, W]` or `[N, H, W]` (one channel); the result is `[C, rows·(H+p)+p, cols·(W+p)+p]`
/// with `padding` p pixels of `padValue` around and between the tiles. Write it with
/// ``Tensors/Tensor/writePNG(to:)``.
public func imageGrid(_ images: Tensor, columns: Int = 8, padding: Int = 2, padValue: Double = 0) -> Tensor {
    let x = images.rank == 3 ? images.unsqueezed(1) : images
    ensure(x.rank == 4 && x.shape[0] >= 1, "imageGrid: expected [N, C, H, W] or [N, H, W] with N ≥ 1, got \(images.shape)")
    ensure(columns >= 1 && padding >= 0, "imageGrid: columns must be ≥ 1 and padding ≥ 0, got \(columns), \(padding)")
    let n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3]
    let cols = Swift.min(columns, n), rows = (n + cols - 1) / cols
    let gh = rows * (h + padding) + padding, gw = cols * (w + padding) + padding
    let src = x.detached().to(.float64).contiguous().toArray(as: Double.self)
    var out = [Double](repeating: padValue, count: c * gh * gw)
    for i in 0..<n {
        let top = padding + (i / cols) * (h + padding), left = padding + (i % cols) * (w + padding)
        for ch in 0..<c {
            for y in 0..<h {
                let s = ((i * c + ch) * h + y) * w, d = (ch * gh + top + y) * gw + left
                for xx in 0..<w { out[d + xx] = src[s + xx] }
            }
        }
    }
    return Tensor(out, shape: [c, gh, gw]).to(.float32)
}
