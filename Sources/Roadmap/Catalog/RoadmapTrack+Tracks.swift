import Foundation

// The five source roadmaps as tracks. Topic choices, durations, milestones and levels follow each
// roadmap; names and wording are ours. `unit:`/`phase:` items expand to every topic they hold.

extension RoadmapTrack {
    /// Six phases from classical ML to agents and MLOps (4-6, 6-8, 4-6, 6-8, 4-6 weeks, then ongoing).
    public static let journey = RoadmapTrack(
        id: "journey", name: "From ML to agents",
        summary: "A broad six-phase path for Python-literate learners: classical ML, deep learning, NLP, LLMs with RAG, agents, then MLOps.",
        phases: [
            TrackPhase("Machine learning foundations", [
                "linear-algebra", "descriptive-statistics", "hypothesis-testing", "gradient-descent", "bias-variance", "overfitting-underfitting",
                "unit:supervised", "unit:unsupervised", "unit:evaluation", "feature-scaling", "feature-selection", "imbalanced-data",
                "project-price-prediction", "project-iris", "project-customer-segmentation", "project-fraud-detection",
            ], fullTime: .weeks(4, 6)),
            TrackPhase("Deep learning", [
                "unit:neural-network-basics", "unit:frameworks", "unit:training-techniques", "unit:convolutional-networks",
                "unit:sequence-models", "deep-forecasting", "project-mnist", "project-cifar10", "project-custom-object-recognition",
                "project-sequence-forecast", "project-style-transfer",
            ], fullTime: .weeks(6, 8)),
            TrackPhase("Natural language processing", ["phase:nlp"], fullTime: .weeks(4, 6)),
            TrackPhase("Large language models and RAG", [
                "llm-architecture", "subword-tokenization", "sampling-strategies", "prompt-engineering", "instruction-tuning",
                "unit:llm-apis", "unit:llm-adaptation", "unit:search", "unit:rag", "project-document-qa", "project-knowledge-base",
                "project-code-doc-generator", "project-meeting-summarizer", "project-cited-generator",
            ], fullTime: .weeks(6, 8)),
            TrackPhase("AI agents", ["unit:agent-fundamentals", "unit:building-agents", "multi-agent-systems", "agent-planning",
                                     "agent-evaluation", "unit:agent-projects"], fullTime: .weeks(4, 6)),
            TrackPhase("MLOps and production", ["unit:deployment", "unit:mlops-practice"], fullTime: .ongoing),
        ],
        totalFullTime: .months(6, 9), totalPartTime: .months(12, 18), fullTimeHoursPerWeek: 35, partTimeHoursPerWeek: 15,
        milestones: [
            TrackMilestone("ml-foundations", "ML foundations: maths, scikit-learn and three projects",
                           ["linear-algebra", "descriptive-statistics", "gradient-descent", "unit:supervised", "unit:evaluation"], checkpoints: 3),
            TrackMilestone("deep-learning", "Deep learning: networks from scratch, a CNN and an RNN project",
                           ["mlp-from-scratch", "autograd", "nn-modules", "training-loops", "project-cifar10", "project-sequence-forecast"]),
            TrackMilestone("nlp", "NLP: preprocessing, transformers, a fine-tuned model and an application",
                           ["unit:text-preprocessing", "transformer-architecture", "fine-tuning-pretrained", "project-sentiment-reviews"]),
            TrackMilestone("llms", "LLMs: APIs, prompting, a RAG system and a vector database",
                           ["llm-apis", "prompt-engineering", "rag-pipeline", "vector-databases", "project-document-qa"]),
            TrackMilestone("agents", "Agents: a basic agent, a multi-tool agent, a multi-agent system, one in production",
                           ["react-pattern", "custom-tools", "multi-agent-systems", "project-automation-agent"]),
            TrackMilestone("mlops", "MLOps: deployed, CI/CD, monitored, on a cloud",
                           ["model-serving-api", "ci-cd-ml", "model-monitoring", "cloud-ml-platforms"]),
        ],
        levels: [])

    /// Five four-week phases with weekly checkpoint projects and a four-level certificate path.
    public static let twentyWeeks = RoadmapTrack(
        id: "twenty-weeks", name: "Twenty weeks, project by project",
        summary: "A week-by-week full-time plan (16-24 weeks) with a checkpoint project every week and certificate levels.",
        phases: [
            TrackPhase("Foundations (weeks 1-4)", [
                "linear-algebra", "matrix-multiplication", "matrix-decompositions", "calculus-gradients", "probability-distributions",
                "linear-regression", "perceptron-mlp", "activation-functions", "forward-propagation", "backpropagation", "loss-functions",
                "optimizers", "mlp-from-scratch", "project-mnist", "autograd", "nn-modules", "custom-layers-losses", "data-loading",
                "training-loops", "training-visualization", "data-augmentation", "image-classification", "overfitting-underfitting",
                "regularization-dropout", "learning-rate-schedules", "debugging-training", "project-cifar10",
            ], fullTime: .weeks(4, 4)),
            TrackPhase("Core ML and deep learning (weeks 5-8)", [
                "convolution-pooling", "normalization-layers", "resnet", "modern-cnns", "transfer-learning", "project-custom-object-recognition",
                "attention", "transformer-architecture", "positional-encoding", "vision-transformer", "machine-translation", "project-translation",
                "random-forests", "gradient-boosting", "stacking-voting", "automl", "hyperparameter-tuning", "project-kaggle-ensemble",
                "experiment-tracking", "data-versioning", "model-registry", "ci-cd-ml", "model-serving-api", "containers",
                "project-end-to-end-pipeline",
            ], fullTime: .weeks(4, 4)),
            TrackPhase("Advanced architectures (weeks 9-12)", [
                "autoencoders", "vae", "gan", "stylegan", "project-gan-generator", "diffusion-models", "latent-diffusion",
                "project-custom-diffusion", "mdp", "q-learning", "dqn", "policy-gradients", "actor-critic", "ppo-trpo", "rl-environments",
                "project-game-agent", "graph-representations", "gcn", "graph-attention", "gnn-tasks", "project-molecular-properties",
            ], fullTime: .weeks(4, 4)),
            TrackPhase("Specialised domains (weeks 13-16)", [
                "prompt-engineering", "agent-chains", "fine-tuning-pretrained", "lora-qlora", "rlhf", "rag-pipeline", "project-llm-application",
                "object-detection", "image-segmentation", "quantization", "edge-ml", "project-realtime-detection",
                "time-series-analysis", "deep-forecasting", "time-series-transformers", "anomaly-detection", "project-forecasting-system",
                "contrastive-learning", "masked-modeling", "few-shot-learning", "project-few-shot",
            ], fullTime: .weeks(4, 4)),
            TrackPhase("Production and research (weeks 17+)", [
                "distributed-training", "mixed-precision", "project-large-scale-training", "explainable-ai", "saliency-maps",
                "fairness-auditing", "ai-ethics", "project-explainable-system", "domain-applications", "reading-papers",
                "paper-reproduction", "open-source-contribution", "capstone-research",
            ], fullTime: .ongoing),
        ],
        totalFullTime: .weeks(16, 24), totalPartTime: nil, fullTimeHoursPerWeek: 35, partTimeHoursPerWeek: 15,
        milestones: [
            TrackMilestone("foundational", "Foundational skills", ["linear-algebra", "calculus-gradients", "tensors", "perceptron-mlp", "backpropagation", "autograd", "nn-modules"]),
            TrackMilestone("core", "Core ML skills", ["convolution-pooling", "resnet", "transformer-architecture", "optimizers", "debugging-training"]),
            TrackMilestone("advanced", "Advanced skills", ["vae", "gan", "diffusion-models", "dqn", "ppo-trpo", "contrastive-learning", "gcn"]),
            TrackMilestone("production", "Production skills", ["experiment-tracking", "model-serving-api", "distributed-training", "explainable-ai"]),
            TrackMilestone("expert", "Expert skills", ["paper-reproduction", "capstone-research", "project-large-scale-training", "domain-applications"]),
        ],
        levels: [
            TrackMilestone("beginner", "ML/AI Foundations (beginner)", [
                "linear-algebra", "calculus-gradients", "probability-distributions", "perceptron-mlp", "backpropagation",
                "autograd", "nn-modules", "training-loops"], checkpoints: 3),
            TrackMilestone("intermediate", "ML/AI Practitioner (intermediate)", [
                "convolution-pooling", "resnet", "attention", "transformer-architecture", "vae", "gan", "diffusion-models",
                "q-learning", "dqn", "ppo-trpo", "experiment-tracking", "model-serving-api"], checkpoints: 9),
            TrackMilestone("advanced", "ML/AI Specialist (advanced)", [
                "domain-applications", "contrastive-learning", "few-shot-learning", "distributed-training", "explainable-ai"], checkpoints: 15),
            TrackMilestone("expert", "ML/AI Researcher (expert)", [
                "reading-papers", "paper-reproduction", "open-source-contribution", "capstone-research"], checkpoints: 16),
        ])

    /// Prerequisites, foundations, advanced topics, practice and research, stated in months.
    public static let expert = RoadmapTrack(
        id: "expert", name: "The expert's outline",
        summary: "A compact outline in months: prerequisites, ML/DL foundations, NLP/generative/RL, tools and MLOps, then research.",
        phases: [
            TrackPhase("Prerequisites", [
                "linear-algebra", "matrix-decompositions", "calculus-gradients", "probability-distributions", "hypothesis-testing",
                "bayesian-statistics", "gradient-descent", "convex-optimization", "programming-fundamentals", "tensors", "dataframes",
                "data-visualization", "version-control", "software-engineering",
            ], fullTime: .months(2, 3)),
            TrackPhase("Machine learning and deep learning foundations", [
                "linear-regression", "logistic-regression", "decision-trees", "random-forests", "svm", "feature-engineering", "k-means",
                "dbscan", "pca", "t-sne", "cross-validation", "classification-metrics", "bias-variance", "perceptron-mlp",
                "backpropagation", "activation-functions", "loss-functions", "optimizers", "convolution-pooling", "rnn", "lstm-gru",
                "transformer-architecture",
            ], fullTime: .months(3, 4)),
            TrackPhase("Advanced topics: NLP, generative models, RL", [
                "word-embeddings", "language-models", "attention", "fine-tuning-pretrained", "rag-pipeline", "vector-databases",
                "text-embeddings", "semantic-search", "hybrid-search", "vae", "gan", "diffusion-models", "latent-diffusion",
                "llm-architecture", "full-fine-tuning", "lora-qlora", "mdp", "q-learning", "policy-gradients", "dqn", "actor-critic", "ppo-trpo",
            ], fullTime: .months(4, 6)),
            TrackPhase("Practical implementation", [
                "nn-modules", "huggingface-transformers", "experiment-tracking", "training-visualization", "containers",
                "model-serving-api", "model-monitoring", "ci-cd-ml", "distributed-training",
            ], fullTime: .ongoing),
            TrackPhase("Specialisation and research", [
                "reading-papers", "paper-reproduction", "open-source-contribution", "technical-writing", "competitions",
            ], fullTime: .months(3, 4)),
            TrackPhase("Key projects", [
                "project-fraud-detection", "project-churn", "project-recommender", "image-classification", "object-detection",
                "project-gan-generator", "text-classification", "project-document-qa", "fine-tuning-pretrained", "rl-environments",
                "project-game-agent",
            ]),
        ],
        totalFullTime: .months(12, 17), totalPartTime: nil, fullTimeHoursPerWeek: 35, partTimeHoursPerWeek: 15,
        milestones: [], levels: [])

    /// Seven phases with full-time and part-time durations, milestone checklists and skill levels.
    public static let zeroToHero = RoadmapTrack(
        id: "zero-to-hero", name: "Zero to hero",
        summary: "For complete beginners: foundations and data skills first, with full-time and part-time durations for every phase.",
        phases: [
            TrackPhase("Foundation", ["programming-fundamentals", "linear-algebra", "calculus-gradients", "probability-distributions",
                                      "descriptive-statistics", "dev-environment"], fullTime: .months(2, 3), partTime: .months(4, 6)),
            TrackPhase("Data fundamentals", ["tensors", "dataframes", "big-data-tools", "data-visualization", "exploratory-data-analysis"],
                       fullTime: .months(2, 3), partTime: .months(4, 6)),
            TrackPhase("Machine learning basics", [
                "ml-introduction", "linear-regression", "regularized-regression", "logistic-regression", "decision-trees",
                "k-nearest-neighbors", "naive-bayes", "svm", "fairness-auditing", "cross-validation", "classification-metrics",
                "regression-metrics", "project-price-prediction", "project-iris", "project-titanic",
            ], fullTime: .months(2, 3), partTime: .months(4, 6)),
            TrackPhase("Advanced machine learning", [
                "random-forests", "gradient-boosting", "stacking-voting", "feature-scaling", "feature-engineering", "feature-selection",
                "hyperparameter-tuning", "k-means", "hierarchical-clustering", "dbscan", "gaussian-mixtures", "pca", "t-sne",
                "project-churn", "project-recommender", "project-fraud-detection",
            ], fullTime: .months(1, 2), partTime: .months(2, 4)),
            TrackPhase("Deep learning", [
                "perceptron-mlp", "activation-functions", "backpropagation", "loss-functions", "optimizers", "autograd", "nn-modules",
                "training-loops", "convolution-pooling", "image-classification", "transfer-learning", "tokenization", "word-embeddings",
                "text-classification", "sentiment-analysis", "project-sentiment-reviews", "project-intent-chatbot",
            ], fullTime: .months(2, 2), partTime: .months(4, 4)),
            TrackPhase("Generative AI and modern LLMs", ["prompt-engineering", "text-embeddings", "vector-databases", "rag-pipeline",
                                                          "tool-calling", "agent-frameworks", "agent-workflows", "multi-agent-systems"],
                       fullTime: .months(1, 2), partTime: .months(2, 4)),
            TrackPhase("Production", ["model-serving-api", "model-hosting", "quantization", "model-compression", "experiment-tracking"],
                       fullTime: .months(2, 3), partTime: .months(4, 6)),
            TrackPhase("Projects", ["project-end-to-end-pipeline", "project-document-qa", "project-research-agent"],
                       fullTime: .months(4, 6), partTime: .months(8, 12)),
        ],
        totalFullTime: .months(14, 20), totalPartTime: .months(28, 35), fullTimeHoursPerWeek: 35, partTimeHoursPerWeek: 12.5,
        milestones: [
            TrackMilestone("foundation", "Foundation", ["programming-fundamentals", "linear-algebra", "calculus-gradients", "dev-environment"]),
            TrackMilestone("data-science", "Data science", ["dataframes", "big-data-tools", "data-visualization", "exploratory-data-analysis"]),
            TrackMilestone("ml-basics", "ML basics: first regression and classification models, a bias audit, a first project",
                           ["linear-regression", "logistic-regression", "fairness-auditing", "classification-metrics"], checkpoints: 1),
            TrackMilestone("advanced-ml", "Advanced ML: ensembles, feature engineering, clustering, an intermediate project",
                           ["random-forests", "gradient-boosting", "feature-engineering", "k-means"], checkpoints: 2),
            TrackMilestone("deep-learning", "Deep learning: a network, a CNN, an NLP model, a project",
                           ["perceptron-mlp", "image-classification", "text-classification", "project-sentiment-reviews"]),
            TrackMilestone("generative-ai", "Generative AI: prompting, a RAG application, vector databases, an LLM agent",
                           ["prompt-engineering", "rag-pipeline", "vector-databases", "agent-frameworks"]),
            TrackMilestone("production", "Production: a deployed, quantised model with an MLOps pipeline",
                           ["model-hosting", "quantization", "experiment-tracking", "project-end-to-end-pipeline"]),
        ],
        levels: [
            TrackMilestone("beginner", "Beginner (weeks 1-8)", ["programming-fundamentals", "dataframes", "linear-regression",
                                                                "logistic-regression", "cross-validation", "classification-metrics"], checkpoints: 1),
            TrackMilestone("intermediate", "Intermediate (weeks 9-16)", ["feature-engineering", "random-forests", "gradient-boosting",
                                                                         "hyperparameter-tuning", "k-means", "pca"], checkpoints: 3),
            TrackMilestone("advanced", "Advanced (weeks 17-24+)", ["training-loops", "image-classification", "text-classification",
                                                                   "model-serving-api", "experiment-tracking"], checkpoints: 5),
        ])

    /// Twelve checklist sections from mathematics to deployment, without durations.
    public static let mastery = RoadmapTrack(
        id: "mastery", name: "Mastery checklist",
        summary: "A detailed checklist in twelve sections, strongest on deep learning and reinforcement learning; no durations.",
        phases: [
            TrackPhase("Mathematical foundations", ["linear-algebra", "matrix-decompositions", "calculus-gradients", "probability-distributions", "gradient-descent", "optimizers"]),
            TrackPhase("Classical machine learning", [
                "linear-regression", "logistic-regression", "decision-trees", "random-forests", "gradient-boosting", "svm",
                "k-nearest-neighbors", "naive-bayes", "k-means", "hierarchical-clustering", "dbscan", "gaussian-mixtures", "pca",
                "bias-variance", "cross-validation", "regularized-regression", "classification-metrics", "feature-scaling", "feature-engineering"]),
            TrackPhase("Core deep learning", [
                "perceptron-mlp", "activation-functions", "backpropagation", "weight-initialization", "regularization-dropout",
                "normalization-layers", "loss-functions", "learning-rate-schedules", "early-stopping", "gradient-clipping",
                "data-augmentation", "mixed-precision"]),
            TrackPhase("Convolutional networks", ["convolution-pooling", "classic-cnns", "resnet", "modern-cnns", "transfer-learning", "object-detection", "image-segmentation"]),
            TrackPhase("Recurrent and sequential models", ["rnn", "lstm-gru", "seq2seq", "attention"]),
            TrackPhase("Transformers", ["transformer-architecture", "vision-transformer", "bert", "gpt", "positional-encoding", "fine-tuning-pretrained", "sampling-strategies"]),
            TrackPhase("Generative models", ["autoencoders", "vae", "gan", "diffusion-models", "latent-diffusion", "normalizing-flows"]),
            TrackPhase("Self-supervised learning", ["contrastive-learning", "masked-modeling", "clip-dino"]),
            TrackPhase("Reinforcement learning", ["phase:reinforcement-learning", "rlhf"]),
            TrackPhase("AI agents", ["react-pattern", "agent-frameworks", "agent-planning", "rag-pipeline", "vector-databases", "agent-memory", "agents-with-rl", "multi-agent-systems"]),
            TrackPhase("Deployment and MLOps", ["model-hosting", "serving-runtimes", "model-serving-api", "containers", "inference-optimization",
                                                "model-compression", "distributed-training", "ci-cd-ml", "model-monitoring"]),
            TrackPhase("Practice", ["mlp-from-scratch", "paper-reproduction", "training-visualization", "huggingface-transformers",
                                    "data-loading", "project-game-agent", "project-research-agent"]),
        ],
        totalFullTime: nil, totalPartTime: nil, fullTimeHoursPerWeek: 35, partTimeHoursPerWeek: 15,
        milestones: [], levels: [])
}

extension RoadmapTrack {
    /// The milestones to evaluate: the roadmap's own checklists, or one per phase when it has none.
    public var effectiveMilestones: [TrackMilestone] {
        if !milestones.isEmpty { return milestones }
        return phases.enumerated().map { i, p in TrackMilestone("phase-\(i + 1)", p.title, p.topics) }
    }

    /// The certificate levels to evaluate: the roadmap's own, or its milestones in order.
    public var effectiveLevels: [TrackMilestone] { levels.isEmpty ? effectiveMilestones : levels }
}
