import Foundation

extension CurriculumPhase {
    /// Phase 6: embeddings, vector search and retrieval-augmented generation.
    public static let retrievalAndSearch = CurriculumPhase(
        id: "retrieval", title: "Retrieval, vector search and RAG",
        goal: "Find the right passages fast, with keywords, vectors or both, and ground an LLM's answers in them.",
        units: [
            unit("search", "Search", [
                topic("text-embeddings", "Text embeddings", hours: 4, after: ["word-embeddings", "bert"],
                      "Sentence-level vectors from embedding models (Sentence Transformers, hosted embedding APIs)."),
                topic("vector-databases", "Vector indexes and databases", hours: 6, after: ["text-embeddings", "k-nearest-neighbors"],
                      "Exact and approximate nearest-neighbour search (flat, HNSW, IVF, PQ) and the stores built on them: FAISS, Chroma, Pinecone, Weaviate, Qdrant, Milvus.",
                      code: ["Retrieval.FlatIndex", "Retrieval.HNSWIndex", "Retrieval.IVFFlatIndex", "Retrieval.IVFPQIndex", "Retrieval.DocumentCollection"], demo: true),
                topic("keyword-search", "Keyword search and BM25", hours: 3, after: ["tf-idf"],
                      "Inverted indexes and BM25 ranking, still the baseline to beat.",
                      code: ["Retrieval.BM25"], demo: true),
                topic("semantic-search", "Semantic search", hours: 3, after: ["vector-databases"],
                      "Ranking by meaning: query and documents embedded in one space.",
                      code: ["Retrieval.HybridSearch", "Retrieval.HashedFeatureEmbedding"], demo: true),
                topic("hybrid-search", "Hybrid search", hours: 3, after: ["semantic-search", "keyword-search"],
                      "Combining keyword and vector results, for example with reciprocal-rank fusion.",
                      code: ["Retrieval.reciprocalRankFusion", "Retrieval.maximalMarginalRelevance"], demo: true),
                topic("reranking", "Re-ranking", hours: 2, after: ["hybrid-search"],
                      "A second, more precise model reorders the top candidates.",
                      code: ["RAG.Reranking", "RAG.RAGRetriever", "Retrieval.maximalMarginalRelevance"], demo: true),
            ]),
            unit("rag", "Retrieval-augmented generation", [
                topic("chunking", "Chunking strategies", hours: 2, after: ["tokenization"],
                      "Splitting documents into passages by size, sentence or structure, with overlap.",
                      code: ["Retrieval.TextChunker"], demo: true),
                topic("rag-pipeline", "The RAG pipeline", hours: 6, after: ["chunking", "semantic-search", "prompt-engineering"],
                      "Why retrieval helps an LLM, and the ingest–retrieve–prompt–answer pipeline with citations.",
                      code: ["RAG.DocumentLoader", "RAG.RAGIndex", "RAG.RAGRetriever", "RAG.RAGPipeline", "RAG.RAGEvaluation"], demo: true,
                      checkpoints: ["rag-document-qa"]),
            ]),
            unit("retrieval-projects", "Retrieval projects", [
                topic("project-document-qa", "Project: document Q&A with RAG", hours: 16, after: ["rag-pipeline"],
                      "Answer questions over your documents with cited passages.",
                      code: ["RAG.RAGPipeline", "RAG.RAGEvaluation", "RAG.QASet"], demo: true, checkpoints: ["rag-document-qa"]),
                topic("project-knowledge-base", "Project: personal knowledge-base chatbot", hours: 12, after: ["rag-pipeline"],
                      "Chat with your notes, with retrieval and conversation memory.",
                      code: ["RAG.RAGPipeline"], demo: true),
                topic("project-cited-generator", "Project: content generator with citations", hours: 10, after: ["rag-pipeline"],
                      "Generate text that cites the retrieved sources it used.",
                      code: ["RAG.RAGPipeline", "RAG.Citation"], demo: true),
            ]),
        ])

    /// Phase 7: agents that reason, call tools, remember and cooperate.
    public static let agents = CurriculumPhase(
        id: "agents", title: "AI agents",
        goal: "Build agents that plan, call tools, remember, work together, and can be evaluated.",
        units: [
            unit("agent-fundamentals", "Agent fundamentals", [
                topic("agent-concepts", "What an agent is", hours: 2, after: ["llm-apis"],
                      "Perception, reasoning and action; reactive, deliberative and hybrid agents."),
                topic("agent-loop", "The agent loop", hours: 2, after: ["agent-concepts"],
                      "Observe, think, act, repeat: the control loop and its stopping rules."),
                topic("react-pattern", "ReAct: reasoning and acting", hours: 3, after: ["agent-loop"],
                      "Interleaving thoughts and tool calls in one transcript."),
                topic("tool-calling", "Tool use and function calling", hours: 4, after: ["agent-loop"],
                      "Tool schemas, choosing a tool, executing it safely and feeding results back."),
                topic("agent-memory", "Agent memory", hours: 4, after: ["agent-loop", "vector-databases"],
                      "Short-term conversation memory, long-term vector memory, entity, episodic and semantic memory."),
            ]),
            unit("building-agents", "Building agents", [
                topic("agent-frameworks", "Agent frameworks", hours: 5, after: ["react-pattern", "tool-calling"],
                      "LangChain and LlamaIndex agents, AutoGPT/BabyAGI loops, AutoGen, CrewAI and Semantic Kernel."),
                topic("custom-tools", "Custom tools", hours: 4, after: ["tool-calling"],
                      "Web search, a calculator, database queries and API calls as tools."),
                topic("agent-chains", "Chains: sequential, router and map-reduce", hours: 3, after: ["prompt-engineering"],
                      "Fixed pipelines of LLM calls, routing by input and fan-out/fan-in over many documents."),
                topic("agent-workflows", "State-graph workflows", hours: 4, after: ["agent-chains", "agent-loop"],
                      "Agents as state machines with conditional edges and human-in-the-loop steps (LangGraph)."),
            ]),
            unit("advanced-agents", "Advanced agent concepts", [
                topic("multi-agent-systems", "Multi-agent systems", hours: 5, after: ["agent-frameworks"],
                      "Agents that communicate, collaborate or compete, and how to coordinate them."),
                topic("agent-planning", "Planning and reflection", hours: 4, after: ["react-pattern"],
                      "Chain-of-thought, tree of thoughts, self-reflection and self-correction loops."),
                topic("agent-evaluation", "Evaluating agents", hours: 3, after: ["agent-frameworks"],
                      "Success rates, cost and latency tracking, and test suites for agent behaviour."),
                topic("agents-with-rl", "Learning agents: RL for tool use and feedback", hours: 5, after: ["agent-frameworks", "policy-gradients"],
                      "Using rewards and feedback loops to improve tool selection and behaviour."),
            ]),
            unit("agent-projects", "Agent projects", [
                topic("project-research-agent", "Project: research assistant agent", hours: 12, after: ["custom-tools", "agent-memory"],
                      "Search, read and summarise sources into a report."),
                topic("project-code-review-agent", "Project: code review agent", hours: 12, after: ["custom-tools"],
                      "Review changes, run checks as tools and comment."),
                topic("project-data-analysis-agent", "Project: data analysis agent", hours: 12, after: ["custom-tools"],
                      "Answer questions about a table by writing and running queries."),
                topic("project-support-agent", "Project: customer support agent", hours: 12, after: ["agent-memory", "rag-pipeline"],
                      "Answer from a knowledge base and hand over to a human when unsure."),
                topic("project-multi-agent-debate", "Project: multi-agent debate", hours: 10, after: ["multi-agent-systems"],
                      "Several agents argue a question and a judge decides."),
                topic("project-automation-agent", "Project: task automation agent deployed to production", hours: 14, after: ["agent-workflows", "agent-evaluation"],
                      "Automate a real workflow end to end, monitored in production."),
            ]),
        ])
}
