// libFuzzer target: Tensors.NPZ.decode (zip container, stored and deflated members, zip64)
// — the in-memory form of NPZ.read / Tensor.load(npz:). Decoded arrays become Tensors.
import Tensors

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    guard let arrays = try? NPZ.decode(bytes) else { return 0 }
    for (_, payload) in arrays { _ = Tensor(payload: payload).payload }
    return 0
}
