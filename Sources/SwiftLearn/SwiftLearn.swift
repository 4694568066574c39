// SwiftLearn: the umbrella module. `import SwiftLearn` brings in every library module.
@_exported import Tensors
@_exported import Learn
@_exported import Datasets
@_exported import Neural
@_exported import NLP
@_exported import Retrieval
@_exported import Plot
@_exported import Roadmap
@_exported import LLM
@_exported import RAG
@_exported import Agents
@_exported import RL
@_exported import Ops
@_exported import Generative
@_exported import LMTraining
