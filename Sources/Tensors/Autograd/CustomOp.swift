extension Tensor {
    /// Makes `output` differentiable with a hand-written backward function (PyTorch's
    /// `torch.autograd.Function`), for ops whose forward pass is a fused kernel outside this module
    /// (convolution, pooling, fused layers).
    ///
    /// `backward` maps the gradient of `output` to one gradient per entry of `inputs` (nil for an
    /// input that needs none); a gradient with a broadcast shape is summed back to its input's shape.
    /// The graph is recorded only when grad mode is on and some input requires a gradient; otherwise
    /// `output` is returned unchanged, so the forward kernel costs nothing extra in inference.
    ///
    /// ```swift
    /// let y = Tensor.differentiable(fastSquare(x), inputs: [x], name: "square") { g in [g * 2 * x] }
    /// ```
    public static func differentiable(_ output: Tensor, inputs: [Tensor], name: String,
                                      backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        record(output.detached(), inputs, name, backward)
    }
}
