/// A byte trie over a vocabulary's token strings, so the grammar filter walks shared prefixes once:
/// when a prefix is rejected, every token under it is rejected with it. Stored flat (edges of a
/// node are contiguous, sorted by byte) for a cache-friendly walk.
struct TokenTrie: Sendable {
    /// For node `n`: its edges are `edgeBytes[firstEdge[n]..<firstEdge[n + 1]]` (and `edgeChild`).
    let firstEdge: [Int32]
    let edgeBytes: [UInt8]
    let edgeChild: [Int32]
    /// For node `n`: the tokens spelled exactly by its path, `tokenIDs[firstToken[n]..<firstToken[n + 1]]`.
    let firstToken: [Int32]
    let tokenIDs: [Int32]

    /// The trie of `tokens` (id → bytes); tokens without bytes (control tokens) are left out.
    init(tokens: [[UInt8]]) {
        // Build with per-node dictionaries, then flatten breadth-first.
        var children: [[UInt8: Int32]] = [[:]]
        var ending: [[Int32]] = [[]]
        for (id, bytes) in tokens.enumerated() where !bytes.isEmpty {
            var node = 0
            for b in bytes {
                if let c = children[node][b] {
                    node = Int(c)
                } else {
                    let c = Int32(children.count)
                    children[node][b] = c
                    children.append([:]); ending.append([])
                    node = Int(c)
                }
            }
            ending[node].append(Int32(id))
        }
        var order: [Int32] = [0], index = [Int32](repeating: 0, count: children.count)
        var k = 0
        while k < order.count {
            let n = Int(order[k])
            index[n] = Int32(k)
            for (_, c) in children[n].sorted(by: { $0.key < $1.key }) { order.append(c) }
            k += 1
        }
        var firstEdge: [Int32] = [], edgeBytes: [UInt8] = [], edgeChild: [Int32] = []
        var firstToken: [Int32] = [], tokenIDs: [Int32] = []
        for n in order {
            firstEdge.append(Int32(edgeBytes.count))
            for (b, c) in children[Int(n)].sorted(by: { $0.key < $1.key }) { edgeBytes.append(b); edgeChild.append(index[Int(c)]) }
            firstToken.append(Int32(tokenIDs.count))
            tokenIDs.append(contentsOf: ending[Int(n)])
        }
        firstEdge.append(Int32(edgeBytes.count)); firstToken.append(Int32(tokenIDs.count))
        self.firstEdge = firstEdge; self.edgeBytes = edgeBytes; self.edgeChild = edgeChild
        self.firstToken = firstToken; self.tokenIDs = tokenIDs
    }

    /// Number of nodes (the root included).
    var nodeCount: Int { firstEdge.count - 1 }
}
