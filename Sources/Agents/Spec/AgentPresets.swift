import Datasets
import Foundation
import GRDB
import RAG
import Retrieval

/// The roadmap's agent projects as ready-made specs with the data they work on: a research
/// assistant over the bundled ML handbook, a data analyst over bundled CSV datasets, a support
/// agent with entity memory over a small shop database, and a two-sided debate with a judge.
public enum AgentPresets {
    public static let names = ["research", "data-analysis", "support", "debate"]

    /// The roadmap's agent projects as an evaluation suite (the same text as
    /// benchmarks/agents/suite.yaml, which a test keeps equal), with scripted turns.
    public static let projectSuiteYAML = """
        name: agent-projects
        tasks:
          - name: research-max-depth
            preset: research
            input: How does max_depth change what a decision tree learns? Name the handbook page.
            expect: {tools: [search_collection], any_of: ["depth", "deeper"], contains: ["trees-and-ensembles"]}
            script:
              - tool_calls: [{id: c1, name: search_collection, arguments: {query: "decision tree max_depth", k: 3}}]
              - content: "Deeper trees fit the training data more closely and can overfit; max_depth limits how many splits a path may take (trees-and-ensembles.md)."
          - name: data-analysis-iris
            preset: data-analysis
            input: Describe iris.csv, then fit a model that predicts its target column and report the test accuracy.
            expect: {tools: [describe_csv, fit_model], contains: ["accuracy"]}
            script:
              - tool_calls: [{id: c1, name: describe_csv, arguments: {path: iris.csv}}]
              - tool_calls: [{id: c2, name: fit_model, arguments: {path: iris.csv, target: target}}]
              - content: "iris.csv has 150 rows and 5 columns; a random forest reaches the test accuracy the tool reported."
          - name: support-order-status
            preset: support
            input: Hi, my name is Ada Lovelace and my order number is 1002. Has it shipped?
            expect: {tools: [sql_query], contains: ["shipped"]}
            script:
              - tool_calls: [{id: c1, name: sql_query, arguments: {query: "SELECT status, item FROM orders WHERE id = 1002"}}]
              - content: "Yes, Ada: order 1002 (Pattern Recognition and Machine Learning) has shipped."
          - name: support-remembers-the-customer
            preset: support
            input: What was my name again?
            expect: {contains: ["Ada"], prompt_contains: ["name: Ada Lovelace"]}
            script:
              - content: "Your name is Ada Lovelace."
          - name: debate-trees-vs-nets
            preset: debate
            input: "Motion: gradient-boosted trees are a better default than neural networks for tabular data."
            expect: {any_of: ["Winner: pro", "Winner: con"]}
            script:
              - content: "Boosted trees handle mixed types and missing values with little tuning."
              - content: "Neural networks with embeddings match trees on large tabular sets and transfer across tasks."
              - content: "Benchmarks on medium-sized tables still favour boosted trees."
              - content: "Those benchmarks predate modern tabular transformers."
              - content: "{\\"winner\\": \\"pro\\", \\"reason\\": \\"concrete benchmark evidence\\"}"
        """

    /// The spec of a preset.
    /// - Throws: ``AgentError/invalidParameter(name:value:reason:)`` for an unknown name.
    public static func spec(_ name: String) throws -> AgentSpec {
        guard let text = yaml[name] else {
            throw AgentError.invalidParameter(name: "preset", value: name, reason: "must be one of \(names.joined(separator: ", "))")
        }
        return try AgentSpec.parse(text, yaml: true, path: "preset \(name)")
    }

    static let yaml: [String: String] = [
        "research": """
            name: research
            description: A research assistant that answers from the ML handbook collection and names its pages.
            process: react
            input: How does max_depth change what a decision tree learns?
            agents:
              - name: researcher
                role: a research assistant for an ML handbook
                goal: answer the question from the handbook's passages and name the page each fact comes from
                instructions: Search the collection before answering. If the passages do not answer the question, say you don't know.
                tools: [search_collection, calculator]
                force_tool: true
                max_steps: 4
            """,
        "data-analysis": """
            name: data-analysis
            description: A data analyst that inspects CSV files, fits a model and reports its test score.
            process: react
            input: Describe iris.csv, then fit a model that predicts its target column and report the test accuracy.
            agents:
              - name: analyst
                role: a data analyst
                goal: inspect the CSV files in the data folder, fit a model on the one asked about and report the metric
                instructions: Use describe_csv to learn the columns before fitting. Report the number the tool gives.
                tools: [list_files, describe_csv, fit_model, calculator]
                force_tool: true
                max_steps: 6
            """,
        "support": """
            name: support
            description: A customer-support agent that looks orders up in the shop database and remembers what customers say.
            process: react
            input: Hi, my name is Ada Lovelace and my order number is 1002. Has it shipped?
            agents:
              - name: support
                role: a customer-support agent for an online bookshop
                goal: answer questions about orders from the orders table, politely and briefly
                instructions: Look orders up with sql_query (table orders, columns id, customer, item, status, total). Never invent an order.
                tools: [sql_query]
                force_tool: true
                memory: entity
                max_steps: 4
            """,
        "debate": """
            name: debate
            description: Two agents debate a motion in rounds; a judge names the winner.
            process: debate
            input: "Motion: gradient-boosted trees are a better default than neural networks for tabular data."
            rounds: 2
            agents:
              - name: pro
                role: the side arguing for the motion
                goal: win the debate with concrete arguments
              - name: con
                role: the side arguing against the motion
                goal: win the debate with concrete arguments
            """,
    ]

    /// Prepares what a preset's tools work on under `folder` (made once, reused after) and
    /// returns the tools: the handbook collection (MiniLM when `models/` has it, else hashed
    /// features), the CSV datasets, the shop database.
    public static func tools(for name: String, in folder: URL) throws -> ToolRegistry {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        switch name {
        case "research":
            let store = CollectionStore(home: folder)
            let index: RAGIndex
            if (try? store.list())?.contains("handbook") == true {
                index = try RAGIndex.open("handbook", in: store)
            } else {
                let embedding: any EmbeddingFunction = try EmbeddingModelLocator.find().map { try TransformerEmbedding(modelDirectory: $0) }
                    ?? HashedFeatureEmbedding()
                index = try RAGIndex.create("handbook", in: store, embedding: embedding)
                _ = try index.index(try DocumentLoader().load(try BundledCorpus.handbook.path))
            }
            return try ToolRegistry.library(collection: index.collection)
        case "data-analysis":
            let data = folder.appendingPathComponent("data")
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            for set in [BundledDataset.iris, .penguins, .diabetes] {
                let file = data.appendingPathComponent("\(set.rawValue).csv")
                if !FileManager.default.fileExists(atPath: file.path) { try Datasets.table(set).csvText().write(to: file, atomically: true, encoding: .utf8) }
            }
            return try ToolRegistry.library(root: data)
        case "support":
            let path = folder.appendingPathComponent("shop.sqlite").path
            if !FileManager.default.fileExists(atPath: path) { try makeShop(path) }
            return try ToolRegistry.library(database: path)
        case "debate":
            return ToolRegistry()
        default:
            _ = try spec(name)
            return ToolRegistry()
        }
    }

    /// A small bookshop: customers and their orders (made up for the support preset).
    static func makeShop(_ path: String) throws {
        let db = try DatabaseQueue(path: path)
        try db.write { db in
            try db.execute(sql: """
                CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, item TEXT NOT NULL, status TEXT NOT NULL, total REAL NOT NULL);
                INSERT INTO orders VALUES
                  (1001, 'Grace Hopper', 'The Elements of Statistical Learning', 'delivered', 64.00),
                  (1002, 'Ada Lovelace', 'Pattern Recognition and Machine Learning', 'shipped', 72.50),
                  (1003, 'Ada Lovelace', 'Deep Learning', 'processing', 58.00),
                  (1004, 'Alan Turing', 'Reinforcement Learning: An Introduction', 'cancelled', 49.90),
                  (1005, 'Katherine Johnson', 'Information Theory, Inference and Learning Algorithms', 'shipped', 41.00);
                """)
        }
    }
}
