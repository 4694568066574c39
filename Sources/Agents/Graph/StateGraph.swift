import APIClient
import Foundation

/// The entry point's name in edges (LangGraph's `START`).
public let START = "__start__"
/// The exit's name in edges and router results (LangGraph's `END`).
public let END = "__end__"

/// Where control goes after a node: another node (or ``END``), or a `Send` — the named node run
/// once more in the next step on an input of its own (map-reduce fan-out).
public enum GraphTarget: Sendable, Equatable, Codable {
    case node(String)
    case send(String, JSONValue)

    /// The exit.
    public static var end: GraphTarget { .node(END) }

    var nodeName: String {
        switch self { case .node(let n), .send(let n, _): return n }
    }
}

/// What a node returns: an update of some state keys (combined by their reducers), and
/// optionally where to go next (LangGraph's `Command(update:goto:)`), added to the node's edges.
public struct NodeResult: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    public var update: [String: JSONValue]
    public var goto: [GraphTarget]

    public init(update: [String: JSONValue] = [:], goto: [GraphTarget] = []) { self.update = update; self.goto = goto }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        update = Dictionary(elements, uniquingKeysWith: { _, b in b }); goto = []
    }
    /// An update from any `Encodable` value whose keys are state keys.
    public init<T: Encodable>(encoding value: T, goto: [GraphTarget] = []) throws {
        guard case .object(let o) = try JSONValue(encoding: value) else {
            throw AgentError.invalidParameter(name: "update", value: "\(T.self)", reason: "must encode to a JSON object")
        }
        update = o; self.goto = goto
    }
}

/// A node's work: the state (or a `Send`'s input) in, an update out.
public typealias NodeFunction = @Sendable (GraphState, NodeContext) async throws -> NodeResult

/// Routes after a node: the next nodes (or ``END``) and `Send`s, from the state.
public typealias Router = @Sendable (GraphState) throws -> [GraphTarget]

enum GraphNode: Sendable {
    case function(NodeFunction)
    case subgraph(CompiledGraph)
}

struct Branch: Sendable {
    var router: Router
    /// Router results → node names (LangGraph's `path_map`); nil when the router names nodes.
    var pathMap: [String: String]?
    /// The nodes the router may name (for validation and drawing); nil when unknown.
    var possible: [String]?
}

/// Builds a graph of nodes over a shared state, LangGraph's `StateGraph`: nodes, edges,
/// conditional edges, joins (an edge from several nodes waits for all of them), cycles and
/// subgraphs. `compile` checks it and returns the runnable ``CompiledGraph``.
///
/// ```swift
/// var g = StateGraph(StateSchema(["count": .lastValue, "trail": .append]))
/// g.addNode("step") { state, _ in ["count": .number(Double(state.int("count")! + 1))] }
/// g.addEdge(START, "step")
/// g.addConditionalEdges(from: "step", to: ["step", END]) { $0.int("count")! < 4 ? "step" : END }
/// let graph = try g.compile(checkpointer: InMemoryCheckpointer())
/// ```
public struct StateGraph: Sendable {
    public let schema: StateSchema
    var nodes: [String: GraphNode] = [:]
    var nodeOrder: [String] = []
    var edges: [String: [String]] = [:]
    var joins: [(sources: [String], target: String)] = []
    var branches: [String: [Branch]] = [:]
    var destinations: [String: [String]] = [:]
    var problems: [String] = []

    public init(_ schema: StateSchema) { self.schema = schema }

    /// Adds a node running `body`.
    public mutating func addNode(_ name: String, _ body: @escaping NodeFunction) {
        add(name, .function(body))
    }

    /// Adds a node that routes itself with ``NodeResult/goto`` to some of `destinations`
    /// (LangGraph's `Command` with `destinations`), declared so the graph can be checked.
    public mutating func addNode(_ name: String, destinations: [String], _ body: @escaping NodeFunction) {
        add(name, .function(body))
        self.destinations[name] = destinations
    }

    /// Adds a compiled graph as a node: it gets this graph's state (the keys it declares), runs to
    /// its end, and its final state is this node's update.
    public mutating func addNode(_ name: String, subgraph: CompiledGraph) {
        add(name, .subgraph(subgraph))
    }

    private mutating func add(_ name: String, _ node: GraphNode) {
        if name.isEmpty || name == START || name == END { problems.append("'\(name)' cannot name a node"); return }
        if nodes[name] != nil { problems.append("node '\(name)' is added twice"); return }
        nodes[name] = node
        nodeOrder.append(name)
    }

    /// An edge: after `from` runs, `to` runs in the next step.
    public mutating func addEdge(_ from: String, _ to: String) {
        edges[from, default: []].append(to)
    }

    /// A join: `to` runs once every node of `from` has run (LangGraph's `add_edge([a, b], c)`).
    public mutating func addEdge(_ from: [String], _ to: String) {
        if from.count == 1 { addEdge(from[0], to); return }
        joins.append((from, to))
    }

    /// A conditional edge: after `from`, `router` picks the next node by name (or ``END``).
    /// `to` lists the names it may return, when you know them.
    public mutating func addConditionalEdges(from: String, to possible: [String]? = nil,
                                             _ router: @escaping @Sendable (GraphState) throws -> String) {
        branches[from, default: []].append(Branch(router: { [.node(try router($0))] }, pathMap: nil, possible: possible))
    }

    /// A conditional edge whose router returns keys of `pathMap`, mapped to node names.
    public mutating func addConditionalEdges(from: String, pathMap: [String: String],
                                             _ router: @escaping @Sendable (GraphState) throws -> String) {
        branches[from, default: []].append(Branch(router: { [.node(try router($0))] }, pathMap: pathMap, possible: Array(pathMap.values)))
    }

    /// A conditional edge returning any number of targets, `Send`s included (map-reduce).
    public mutating func addConditionalEdges(from: String, to possible: [String]? = nil, targets router: @escaping Router) {
        branches[from, default: []].append(Branch(router: router, pathMap: nil, possible: possible))
    }

    /// Checks the graph and makes it runnable.
    /// - Parameters:
    ///   - checkpointer: where each step's state is saved; needed to resume after an interrupt
    ///     and to keep conversations by thread (nil: state lives only for one run).
    ///   - interruptBefore / interruptAfter: nodes to pause at (static breakpoints).
    /// - Throws: ``AgentError/invalidGraph(_:)`` naming what is wrong.
    public func compile(checkpointer: (any Checkpointer)? = nil, interruptBefore: [String] = [], interruptAfter: [String] = [],
                       name: String = "graph") throws -> CompiledGraph {
        var issues = problems
        let known = Set(nodes.keys)
        func checkTarget(_ t: String, _ from: String) {
            if t != END && !known.contains(t) { issues.append("the edge from '\(from)' goes to unknown node '\(t)'") }
        }
        for (from, tos) in edges {
            if from != START && !known.contains(from) { issues.append("an edge starts at unknown node '\(from)'") }
            if from == END { issues.append("no edge can leave END") }
            tos.forEach { checkTarget($0, from) }
            if tos.contains(START) { issues.append("no edge can go to START") }
        }
        for j in joins {
            for s in j.sources where !known.contains(s) { issues.append("a join starts at unknown node '\(s)'") }
            checkTarget(j.target, j.sources.joined(separator: "+"))
        }
        for (from, list) in branches {
            if from != START && !known.contains(from) { issues.append("a conditional edge starts at unknown node '\(from)'") }
            for b in list { (b.possible ?? []).forEach { checkTarget($0, from) } }
        }
        if edges[START] == nil && branches[START] == nil { issues.append("nothing leaves START: add an edge from START to the first node") }
        for (from, tos) in destinations { tos.forEach { checkTarget($0, from) } }
        for n in interruptBefore + interruptAfter where !known.contains(n) { issues.append("cannot interrupt at unknown node '\(n)'") }
        // Every node must be reachable from START.
        var reached: Set<String> = [START], frontier = [START]
        while let n = frontier.popLast() {
            var outs = edges[n] ?? []
            for b in branches[n] ?? [] { outs += b.possible ?? Array(known) }
            for j in joins where j.sources.contains(n) { outs.append(j.target) }
            outs += destinations[n] ?? []
            for o in outs where !reached.contains(o) { reached.insert(o); frontier.append(o) }
        }
        for n in nodeOrder where !reached.contains(n) { issues.append("node '\(n)' cannot be reached from START") }
        if !issues.isEmpty { throw AgentError.invalidGraph(issues.joined(separator: "; ")) }
        return CompiledGraph(name: name, schema: schema, nodes: nodes, edges: edges, joins: joins, branches: branches,
                             checkpointer: checkpointer, interruptBefore: Set(interruptBefore), interruptAfter: Set(interruptAfter))
    }
}
