// libFuzzer target: Tensors.Safetensors.decode (the in-memory form of Safetensors.read /
// Tensor.load(safetensors:)). Decoded tensors become Tensors and the contents are re-encoded.
import Tensors

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    guard let contents = try? Safetensors.decode(bytes) else { return 0 }
    for (_, payload) in contents.tensors { _ = Tensor(payload: payload).payload }
    _ = try? Safetensors.encode(contents.tensors, metadata: contents.metadata)
    return 0
}
