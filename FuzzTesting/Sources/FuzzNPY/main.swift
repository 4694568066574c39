// libFuzzer target: Tensors.NPY.decode (the in-memory form of NPY.read / Tensor.load(npy:)).
// A decoded payload is turned into a Tensor, as Tensor.load(npy:) does, and encoded again.
import Tensors

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    guard let payload = try? NPY.decode(bytes) else { return 0 }
    let tensor = Tensor(payload: payload)
    _ = tensor.payload
    _ = NPY.encode(payload)
    return 0
}
