import Foundation
import SwiftLearnCore

/// One vertex of the reverse-mode graph.
///
/// A leaf (a tensor the user marked with ``Tensor/requiresGrad``) has no backward function and
/// accumulates its gradient in ``grad``. An op output holds its parents' nodes and a closure that
/// maps the gradient of the output to the gradients of its inputs (nil for inputs that do not
/// require one). Graphs are built only when some input requires a gradient and grad mode is on.
final class AutogradNode {
    /// Accumulated gradient (leaves, and non-leaves that called ``Tensor/retainGrad()``).
    var grad: Tensor?
    /// Nodes of the inputs, aligned with what ``backward`` returns (nil: input needs no grad).
    let parents: [AutogradNode?]
    /// Output gradient → input gradients.
    let backward: ((Tensor) -> [Tensor?])?
    /// Operation name, for debugging and error messages.
    let name: String
    /// Whether a non-leaf keeps its gradient.
    var retainsGrad = false
    /// Shape and dtype of the tensor this node belongs to (to check incoming gradients).
    let shape: [Int]
    let dtype: DType

    var isLeaf: Bool { backward == nil }

    init(leafShape shape: [Int], dtype: DType) {
        parents = []
        backward = nil
        name = "leaf"
        self.shape = shape
        self.dtype = dtype
    }

    init(parents: [AutogradNode?], name: String, shape: [Int], dtype: DType, backward: @escaping (Tensor) -> [Tensor?]) {
        self.parents = parents
        self.backward = backward
        self.name = name
        self.shape = shape
        self.dtype = dtype
    }
}

/// Whether operations record the autograd graph on the current thread.
///
/// ```swift
/// let y = GradMode.withoutGrad { model(x) }   // inference: no graph is built
/// ```
public enum GradMode {
    private static let key: pthread_key_t = {
        var k = pthread_key_t()
        pthread_key_create(&k, nil)
        return k
    }()

    /// Depth of nested no-grad scopes on this thread (stored in a thread-local slot).
    private static var depth: Int {
        get { Int(bitPattern: pthread_getspecific(key)) }
        set { pthread_setspecific(key, UnsafeRawPointer(bitPattern: newValue)) }
    }

    /// True unless inside ``withoutGrad(_:)`` on this thread.
    public static var isEnabled: Bool { depth == 0 }

    /// Runs `body` without recording gradients (PyTorch's `torch.no_grad()`).
    public static func withoutGrad<R>(_ body: () throws -> R) rethrows -> R {
        depth += 1
        defer { depth -= 1 }
        return try body()
    }
}

extension Tensor {
    /// Whether gradients flow to this tensor. Setting it on a tensor makes it a leaf of the graph.
    public var requiresGrad: Bool {
        get { node != nil }
        set {
            if newValue {
                ensure(dtype.isFloatingPoint, "requiresGrad: only floating-point tensors can require gradients (dtype \(dtype))")
                if node == nil { node = AutogradNode(leafShape: shape, dtype: dtype) }
            } else {
                node = nil
            }
        }
    }

    /// A copy of this value that requires a gradient (a new leaf).
    public func requiringGrad(_ flag: Bool = true) -> Tensor {
        var t = self
        t.node = nil
        t.requiresGrad = flag
        return t
    }

    /// The same values, cut from the graph (shares storage; PyTorch's `detach()`).
    public func detached() -> Tensor {
        var t = self
        t.node = nil
        return t
    }

    /// The gradient accumulated by ``backward(_:)`` (nil before, and for non-leaves unless
    /// ``retainGrad()`` was called).
    public var grad: Tensor? {
        get { node?.grad }
        nonmutating set { node?.grad = newValue }
    }

    /// Whether this tensor is a leaf of the graph (requires grad and was not produced by an op).
    public var isLeaf: Bool { node?.isLeaf ?? true }

    /// Keep the gradient of this non-leaf tensor during ``backward(_:)``.
    public func retainGrad() {
        node?.retainsGrad = true
    }

    /// Clears the accumulated gradient.
    public func zeroGrad() { node?.grad = nil }

    /// Back-propagates from this tensor: accumulates d(self)/d(leaf) · `gradient` into every leaf's
    /// ``grad``. `gradient` defaults to 1 and may be omitted only for one-element tensors.
    public func backward(_ gradient: Tensor? = nil) {
        guard let root = node else {
            fatalError("backward(): tensor does not require grad (no graph was recorded)")
        }
        let seed: Tensor
        if let g = gradient {
            ensure(g.shape == shape, "backward(): gradient shape \(g.shape) does not match tensor shape \(shape)")
            seed = g.detached()
        } else {
            ensure(count == 1, "backward(): gradient can be implicit only for one-element outputs, shape is \(shape)")
            seed = Tensor.ones(shape, dtype: dtype)
        }
        // Iterative DFS topological order (long chains such as unrolled RNNs must not overflow the stack).
        var order: [AutogradNode] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(AutogradNode, Int)] = [(root, 0)]
        visited.insert(ObjectIdentifier(root))
        while let (n, i) = stack.popLast() {
            if i < n.parents.count {
                stack.append((n, i + 1))
                if let p = n.parents[i], visited.insert(ObjectIdentifier(p)).inserted {
                    stack.append((p, 0))
                }
            } else {
                order.append(n)
            }
        }
        var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seed]
        GradMode.withoutGrad {
            for n in order.reversed() {
                guard let g = grads.removeValue(forKey: ObjectIdentifier(n)) else { continue }
                if n.isLeaf || n.retainsGrad {
                    n.grad = n.grad.map { $0 + g } ?? g
                }
                guard let bw = n.backward else { continue }
                let inputGrads = bw(g)
                for (p, ig) in zip(n.parents, inputGrads) {
                    guard let p, var ig else { continue }
                    if ig.shape != p.shape { ig = ig.sumToShape(p.shape) }
                    if ig.dtype != p.dtype { ig = ig.to(p.dtype) }
                    let id = ObjectIdentifier(p)
                    grads[id] = grads[id].map { $0 + ig } ?? ig
                }
            }
        }
    }

    // MARK: - Recording

    /// Attaches a backward function for a one-input op to `out` when needed.
    @inline(__always)
    func recordUnary(_ out: Tensor, _ x: Tensor, _ name: String, _ backward: @escaping (Tensor) -> Tensor) -> Tensor {
        guard let xn = x.node, GradMode.isEnabled else { return out }
        var o = out
        o.node = AutogradNode(parents: [xn], name: name, shape: out.shape, dtype: out.dtype) { g in [backward(g)] }
        return o
    }

    /// Attaches a backward function for an op with several inputs to `out` when needed.
    /// `backward` returns one gradient per input (nil allowed); gradients of broadcast inputs may
    /// have the broadcast shape: they are summed back to the input's shape automatically.
    @inline(__always)
    static func record(_ out: Tensor, _ inputs: [Tensor], _ name: String, _ backward: @escaping (Tensor) -> [Tensor?]) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return out }
        var o = out
        o.node = AutogradNode(parents: inputs.map { $0.node }, name: name, shape: out.shape, dtype: out.dtype, backward: backward)
        return o
    }
}
