import Foundation

/// One checklist item of a source roadmap and the catalog topics that cover it.
public struct SeedItem: Sendable, Hashable {
    /// The item's name as the source roadmap lists it (topic names are facts; no prose is kept).
    public var label: String
    /// Catalog topic ids covering it (`unit:`/`phase:` references already expanded).
    public var topicIDs: [String]
}

/// The machine-checkable mapping from each of the five source roadmaps to catalog topic ids.
///
/// `checklistLabels(in:)` extracts the items from a roadmap's text (its checklist lines, or for
/// the outline-style roadmap, its bullets from section 1 to the resources); the catalog test
/// checks that every extracted item is mapped here and that every mapped id exists.
public struct SeedRoadmap: Sendable {
    /// The track this roadmap became.
    public var trackID: String
    /// The source file name in the project's `seeds/` folder.
    public var fileName: String
    /// Items in source order.
    public var items: [SeedItem]

    /// The five source roadmaps.
    public static let all: [SeedRoadmap] = [
        SeedRoadmap(trackID: "journey", fileName: "000_b3cb470ce8f9bcac.txt", table: journeyItems),
        SeedRoadmap(trackID: "twenty-weeks", fileName: "001_e782cc89b89bda63.txt", table: twentyWeeksItems),
        SeedRoadmap(trackID: "expert", fileName: "002_289c4cf2444c31c6.txt", table: expertItems),
        SeedRoadmap(trackID: "zero-to-hero", fileName: "003_5bbe465fb42d4200.txt", table: zeroToHeroItems),
        SeedRoadmap(trackID: "mastery", fileName: "004_bbf0cdcac1a3162e.txt", table: masteryItems),
    ]

    init(trackID: String, fileName: String, table: String) {
        self.trackID = trackID
        self.fileName = fileName
        self.items = table.split(separator: "\n").compactMap { line in
            let parts = line.components(separatedBy: " => ")
            guard parts.count == 2 else { return nil }
            let ids = parts[1].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            return SeedItem(label: parts[0].trimmingCharacters(in: .whitespaces), topicIDs: TrackPhase.expand(ids))
        }
    }

    /// The item labels of a source roadmap's text: every `- [ ]`/`- [x]` checklist line; for a
    /// roadmap without checklists, every bullet or numbered line from the `## 1.` heading up to
    /// `## Learning Resources`. Bold markers and trailing `(https://…)` links are removed.
    public static func checklistLabels(in text: String) -> [String] {
        let lines = text.components(separatedBy: .newlines)
        let checkbox = #"^\s*- \[[ xX]\]\s+(.+)$"#
        var raw: [String] = []
        if lines.contains(where: { $0.range(of: checkbox, options: .regularExpression) != nil }) {
            for l in lines { if let m = capture(checkbox, l) { raw.append(m) } }
        } else {
            var inside = false
            for l in lines {
                if l.hasPrefix("## 1.") { inside = true } else if l.hasPrefix("## Learning Resources") { inside = false }
                if inside, let m = capture(#"^\s*(?:-|\d+\.)\s+(.+)$"#, l) { raw.append(m) }
            }
        }
        return raw.map {
            $0.replacingOccurrences(of: "**", with: "")
                .replacingOccurrences(of: #"\s*\(https?://[^)]*\)"#, with: "", options: .regularExpression)
                .trimmingCharacters(in: .whitespaces)
        }
    }

    private static func capture(_ pattern: String, _ line: String) -> String? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)), m.numberOfRanges > 1,
              let r = Range(m.range(at: 1), in: line) else { return nil }
        return String(line[r])
    }
}

extension SeedRoadmap {
    /// Items of the `journey` roadmap (seed file `000_b3cb470ce8f9bcac.txt`).
    static let journeyItems = """
    Linear algebra review (vectors, matrices, operations) => linear-algebra
    Statistics fundamentals (distributions, hypothesis testing) => hypothesis-testing
    Gradient descent & optimization basics => gradient-descent
    Bias-variance tradeoff => bias-variance
    Overfitting & underfitting => overfitting-underfitting
    Linear Regression => linear-regression
    Logistic Regression => logistic-regression
    Decision Trees => decision-trees
    Random Forests => random-forests
    Support Vector Machines (SVM) => svm
    K-Nearest Neighbors (KNN) => k-nearest-neighbors
    K-Means Clustering => k-means
    Hierarchical Clustering => hierarchical-clustering
    Principal Component Analysis (PCA) => pca
    DBSCAN clustering => dbscan
    Train/Test/Validation split => cross-validation
    Cross-validation (K-fold) => cross-validation
    Metrics: => classification-metrics, regression-metrics
    Confusion matrix => classification-metrics
    Feature scaling (normalization, standardization) => feature-scaling
    Feature selection techniques => feature-selection
    Handling imbalanced datasets => imbalanced-data
    House price prediction (regression) => project-price-prediction
    Iris flower classification => project-iris
    Customer segmentation (clustering) => project-customer-segmentation
    Credit card fraud detection => project-fraud-detection
    Perceptron & multi-layer perceptrons => perceptron-mlp
    Activation functions (ReLU, Sigmoid, Tanh, Softmax) => activation-functions
    Forward propagation => forward-propagation
    Backpropagation algorithm => backpropagation
    Loss functions (MSE, Cross-entropy) => loss-functions
    Optimizers (SGD, Adam, RMSprop) => optimizers
    Learning rate & momentum => optimizers, learning-rate-schedules
    Batch vs mini-batch vs stochastic gradient descent => gradient-descent
    Tensors & operations => tensors
    Automatic differentiation (autograd) => autograd
    Building neural networks (nn.Module) => nn-modules
    Training loops => training-loops
    GPU acceleration (CUDA) => gpu-acceleration
    Saving & loading models => saving-loading-models
    TensorBoard for visualization => training-visualization
    Convolution operation => convolution-pooling
    Pooling layers (max, average) => convolution-pooling
    CNN architectures: => classic-cnns
    Transfer learning => transfer-learning
    Data augmentation => data-augmentation
    Image classification tasks => image-classification
    Sequence modeling => rnn, seq2seq
    Vanilla RNN => rnn
    Long Short-Term Memory (LSTM) => lstm-gru
    Gated Recurrent Unit (GRU) => lstm-gru
    Bidirectional RNNs => bidirectional-rnn
    Sequence-to-sequence models => seq2seq
    Time series forecasting => deep-forecasting
    Regularization (Dropout, L1/L2) => regularization-dropout
    Batch normalization => normalization-layers
    Learning rate scheduling => learning-rate-schedules
    Early stopping => early-stopping
    Hyperparameter tuning => hyperparameter-tuning
    MNIST digit classification => project-mnist
    CIFAR-10 image classification => project-cifar10
    Cat vs Dog classifier => project-custom-object-recognition
    Stock price prediction (LSTM) => project-sequence-forecast
    Image style transfer => project-style-transfer
    Text preprocessing => tokenization, text-normalization, stemming-lemmatization
    Text representation => bag-of-words, tf-idf, n-grams
    Word embeddings => word-embeddings
    Sentiment analysis => sentiment-analysis
    Text classification => text-classification
    Named Entity Recognition (NER) => named-entity-recognition
    Attention mechanism => attention
    Transformer architecture => transformer-architecture
    BERT (Bidirectional Encoder) => bert
    GPT (Generative Pre-trained Transformer) => gpt
    T5, RoBERTa, DistilBERT => transformer-variants
    Using Hugging Face Transformers => huggingface-transformers
    Fine-tuning pre-trained models => fine-tuning-pretrained
    Text generation => text-generation
    Question answering => question-answering
    Text summarization => summarization
    Machine translation => machine-translation
    Zero-shot classification => zero-shot-classification
    Sentiment analysis on movie reviews => project-sentiment-reviews
    Spam email classifier => project-spam-filter
    Text summarizer => project-text-summarizer
    Chatbot with intent classification => project-intent-chatbot
    Question-answering system => question-answering
    LLM architecture deep dive => llm-architecture
    Tokenization strategies => subword-tokenization
    Sampling strategies => sampling-strategies
    Prompt engineering => prompt-engineering
    OpenAI API (GPT-4, GPT-3.5) => llm-apis
    Anthropic Claude API => llm-apis
    AWS Bedrock (Claude, LLaMA, Titan) => llm-apis, cloud-ml-platforms
    Google PaLM API => llm-apis
    Open-source models (LLaMA, Mistral, Falcon) => open-weight-models
    API best practices => api-best-practices
    Fine-tuning techniques => full-fine-tuning, lora-qlora, prefix-adapter-tuning
    Model quantization (4-bit, 8-bit) => quantization
    RLHF (Reinforcement Learning from Human Feedback) => rlhf
    Instruction tuning datasets => instruction-tuning
    Retrieval Augmented Generation (RAG) => rag-pipeline
    Text embeddings => text-embeddings
    Vector databases => vector-databases
    Semantic search => semantic-search
    Hybrid search (keyword + semantic) => hybrid-search
    Re-ranking strategies => reranking
    Document Q&A with RAG => project-document-qa
    Personal knowledge base chatbot => project-knowledge-base
    Code documentation generator => project-code-doc-generator
    Meeting summarizer => project-meeting-summarizer
    Content generator with citations => project-cited-generator
    What are AI agents? => agent-concepts
    ReAct pattern (Reasoning + Acting) => react-pattern
    Tool use & function calling => tool-calling
    Memory systems => agent-memory
    Agent loops => agent-loop
    LangChain agents => agent-frameworks
    Custom tools => custom-tools
    Agent chains => agent-chains
    LangGraph for workflows => agent-workflows
    Multi-agent systems => multi-agent-systems
    Agent frameworks => agent-frameworks
    Planning & reasoning => agent-planning
    Agent evaluation => agent-evaluation
    Research assistant agent => project-research-agent
    Code review agent => project-code-review-agent
    Data analysis agent => project-data-analysis-agent
    Customer support agent => project-support-agent
    Multi-agent debate system => project-multi-agent-debate
    Task automation agent => project-automation-agent
    REST APIs with FastAPI => model-serving-api
    Model serving => serving-runtimes
    Containerization (Docker) => containers
    Orchestration (Kubernetes) => kubernetes
    Serverless deployment => serverless
    Amazon SageMaker => cloud-ml-platforms
    AWS Bedrock => cloud-ml-platforms, llm-apis
    AWS Lambda (serverless) => serverless
    Amazon S3 (data storage) => cloud-ml-platforms
    Amazon ECR (container registry) => cloud-ml-platforms, containers
    Amazon CloudWatch (monitoring) => cloud-ml-platforms, model-monitoring
    Version control (Git, DVC) => version-control
    Experiment tracking (MLflow, Weights & Biases) => experiment-tracking
    Model versioning => model-registry
    CI/CD pipelines => ci-cd-ml
    A/B testing => ab-testing
    Model monitoring => model-monitoring
    Cost optimization => serving-optimization
    Latency optimization => serving-optimization
    Caching strategies => serving-optimization
    House price prediction => project-price-prediction
    Handwritten digit recognition (MNIST) => project-mnist
    Spam email detector => project-spam-filter
    Movie recommendation system => project-recommender
    Image classifier (custom dataset) => project-custom-object-recognition
    Sentiment analysis dashboard => project-sentiment-reviews
    Stock price predictor => project-sequence-forecast
    Chatbot with intent recognition => project-intent-chatbot
    Object detection system => project-realtime-detection
    RAG-based document Q&A system => project-document-qa
    Multi-modal AI (text + images) => multimodal-ai
    AI agent for code review => project-code-review-agent
    Personal AI assistant => project-knowledge-base
    Multi-agent research system => project-research-agent, multi-agent-systems
    Real-time anomaly detection => anomaly-detection
    Custom LLM fine-tuning => project-llm-application
    Math fundamentals => linear-algebra, calculus-gradients, probability-distributions
    Scikit-learn mastery => unit:supervised, unit:unsupervised, unit:evaluation
    3+ ML projects completed => project-iris, project-price-prediction, project-customer-segmentation, project-fraud-detection
    Neural networks from scratch => mlp-from-scratch
    PyTorch/TensorFlow proficiency => unit:frameworks
    CNN project => project-cifar10
    RNN/LSTM project => project-sequence-forecast
    Text preprocessing pipeline => unit:text-preprocessing
    Transformer understanding => transformer-architecture
    Fine-tuned model => fine-tuning-pretrained
    NLP application built => unit:nlp-projects
    LLM API integration => llm-apis
    Prompt engineering skills => prompt-engineering
    RAG system built => rag-pipeline, project-document-qa
    Vector database experience => vector-databases
    Basic agent built => agent-loop, react-pattern
    Multi-tool agent => custom-tools, tool-calling
    Multi-agent system => multi-agent-systems
    Production agent deployed => project-automation-agent
    Model deployed to production => model-serving-api, project-end-to-end-pipeline
    CI/CD pipeline set up => ci-cd-ml
    Monitoring implemented => model-monitoring
    AWS services used => cloud-ml-platforms
    """

    /// Items of the `twenty-weeks` roadmap (seed file `001_e782cc89b89bda63.txt`).
    static let twentyWeeksItems = """
    Understand matrix operations and eigenvalues => matrix-decompositions
    Master gradient computation => calculus-gradients
    Know probability distributions (Normal, Bernoulli, etc.) => probability-distributions
    Implement basic linear algebra operations in NumPy => linear-algebra
    Understand forward and backward propagation => forward-propagation
    Implement various activation functions => activation-functions
    Build a multi-layer perceptron from scratch => mlp-from-scratch
    Master loss functions and optimization => loss-functions, optimizers
    Master PyTorch tensor operations => tensors
    Build models using nn.Module => nn-modules
    Implement custom layers and losses => custom-layers-losses
    Use data loaders and augmentation => data-loading
    Diagnose overfitting/underfitting => overfitting-underfitting
    Apply regularization techniques => regularization-dropout
    Implement learning rate scheduling => learning-rate-schedules
    Debug training issues => debugging-training
    Understand convolution operations => convolution-pooling
    Master pooling and batch normalization => convolution-pooling, normalization-layers
    Implement ResNet from scratch => resnet
    Apply transfer learning => transfer-learning
    Understand self-attention mechanism => attention
    Implement multi-head attention => attention
    Build Transformer encoder/decoder => transformer-architecture
    Apply Vision Transformers => vision-transformer
    Master bagging and boosting => random-forests, gradient-boosting
    Implement XGBoost, LightGBM => gradient-boosting
    Use AutoML frameworks => automl
    Apply Neural Architecture Search => automl
    Track experiments with MLflow => experiment-tracking
    Version datasets with DVC => data-versioning
    Build CI/CD pipelines => ci-cd-ml
    Deploy models with FastAPI => model-serving-api
    Understand VAE loss (reconstruction + KL) => vae
    Implement GAN training loop => gan
    Master GAN training tricks => gan
    Generate high-quality images => gan, stylegan
    Understand diffusion process => diffusion-models
    Implement DDPM training => diffusion-models
    Use Stable Diffusion => latent-diffusion
    Fine-tune diffusion models => latent-diffusion, project-custom-diffusion
    Understand MDP framework => mdp
    Implement Q-Learning => q-learning
    Build DQN with experience replay => dqn
    Master PPO algorithm => ppo-trpo
    Understand graph representations => graph-representations
    Implement GCN layers => gcn
    Apply to node/graph classification => gnn-tasks
    Use PyTorch Geometric => gcn, gnn-tasks
    Master prompt engineering => prompt-engineering
    Fine-tune language models => fine-tuning-pretrained
    Implement LoRA/QLoRA => lora-qlora
    Apply RLHF => rlhf
    Implement object detection (YOLO) => object-detection
    Master semantic segmentation => image-segmentation
    Optimize models for mobile => edge-ml
    Deploy to edge devices => edge-ml
    Master time series analysis => time-series-analysis
    Implement LSTM/TCN forecasters => deep-forecasting
    Apply Transformers to time series => time-series-transformers
    Handle multivariate forecasting => deep-forecasting
    Understand contrastive learning => contrastive-learning
    Implement SimCLR/MoCo => contrastive-learning
    Master masked image modeling => masked-modeling
    Apply few-shot learning => few-shot-learning
    Master data parallelism (DDP) => distributed-training
    Implement model parallelism => distributed-training
    Use DeepSpeed/FSDP => distributed-training
    Optimize training at scale => distributed-training
    Implement SHAP/LIME => explainable-ai
    Visualize model decisions => saliency-maps, explainable-ai
    Detect and mitigate bias => fairness-auditing, ai-ethics
    Create model cards => ai-ethics
    Understand domain challenges => domain-applications
    Apply ML to real problems => domain-applications
    Handle domain-specific data => domain-applications
    Meet regulatory requirements => ai-ethics
    Read seminal papers => reading-papers
    Reproduce research results => paper-reproduction
    Contribute to open source => open-source-contribution
    Develop novel ideas => capstone-research
    Linear algebra and calculus => linear-algebra, calculus-gradients
    Python and NumPy proficiency => programming-fundamentals, tensors
    Neural network fundamentals => unit:neural-network-basics
    PyTorch/TensorFlow mastery => unit:frameworks
    CNN architectures => classic-cnns
    Transformer models => transformer-architecture, bert, gpt
    Training optimization => optimizers, learning-rate-schedules
    Model debugging => debugging-training
    Generative models => phase:generative
    Reinforcement learning => phase:reinforcement-learning
    Self-supervised learning => unit:self-supervised
    Graph neural networks => unit:graph-learning
    MLOps practices => unit:mlops-practice
    Model deployment => unit:deployment
    Distributed training => distributed-training
    Explainable AI => explainable-ai
    Research paper implementation => paper-reproduction
    Novel algorithm development => capstone-research
    Large-scale systems => distributed-training, project-large-scale-training
    Domain expertise => domain-applications
    """

    /// Items of the `expert` roadmap (seed file `002_289c4cf2444c31c6.txt`).
    static let expertItems = """
    Mathematics => linear-algebra, calculus-gradients, probability-distributions, gradient-descent
    Linear Algebra => linear-algebra
    Vectors, matrices, tensors => linear-algebra
    Eigenvalues and eigenvectors => matrix-decompositions
    Matrix decomposition => matrix-decompositions
    Calculus => calculus-gradients
    Derivatives and gradients => calculus-gradients
    Chain rule => calculus-gradients
    Backpropagation fundamentals => backpropagation
    Statistics & Probability => probability-distributions
    Probability distributions => probability-distributions
    Hypothesis testing => hypothesis-testing
    Bayesian statistics => bayesian-statistics
    Optimization => gradient-descent, convex-optimization
    Gradient descent variants => gradient-descent
    Convex optimization => convex-optimization
    Programming => programming-fundamentals
    Python fundamentals => programming-fundamentals
    NumPy, Pandas, Matplotlib => tensors, dataframes, data-visualization
    Git version control => version-control
    Basic software engineering practices => software-engineering
    Classical Machine Learning => unit:supervised, unit:unsupervised
    Supervised Learning => unit:supervised
    Linear/Logistic Regression => linear-regression, logistic-regression
    Decision Trees, Random Forests => decision-trees, random-forests
    SVMs => svm
    Feature engineering => feature-engineering
    Unsupervised Learning => unit:unsupervised
    Clustering (K-means, DBSCAN) => k-means, dbscan
    Dimensionality reduction (PCA, t-SNE) => pca, t-sne
    Model evaluation & validation => unit:evaluation
    Cross-validation => cross-validation
    Metrics (accuracy, precision, recall, F1) => classification-metrics
    Bias-variance tradeoff => bias-variance
    Deep Learning Basics => unit:neural-network-basics
    Neural Networks => perceptron-mlp
    Architecture components => perceptron-mlp, forward-propagation
    Activation functions => activation-functions
    Loss functions => loss-functions
    Optimizers => optimizers
    CNNs for computer vision => convolution-pooling, image-classification
    RNNs, LSTMs for sequences => rnn, lstm-gru
    Transformers architecture => transformer-architecture
    Natural Language Processing => phase:nlp
    Word embeddings => word-embeddings
    Language models => language-models
    Attention mechanisms => attention
    Transfer learning in NLP => fine-tuning-pretrained
    RAG (Retrieval Augmented Generation) => rag-pipeline
    Vector databases => vector-databases
    Embedding techniques => text-embeddings, word-embeddings
    Retrieval strategies => semantic-search, hybrid-search, reranking
    Generative AI => phase:generative
    VAEs and GANs => vae, gan
    Diffusion Models => diffusion-models
    DDPM architecture => diffusion-models
    Noise scheduling => diffusion-models
    Conditioning techniques => latent-diffusion
    Large Language Models => llm-architecture
    Architecture scaling => llm-architecture
    Training strategies => llm-from-scratch, instruction-tuning
    Fine-tuning approaches => full-fine-tuning, lora-qlora
    Reinforcement Learning => phase:reinforcement-learning
    Markov Decision Processes => mdp
    Q-Learning => q-learning
    Policy Gradient Methods => policy-gradients
    Deep RL => dqn, actor-critic
    PPO, A3C algorithms => ppo-trpo, actor-critic
    Frameworks & Tools => nn-modules, huggingface-transformers, experiment-tracking
    PyTorch => nn-modules, autograd
    Hugging Face => huggingface-transformers
    MLflow for experiment tracking => experiment-tracking
    Weight & Biases for visualization => experiment-tracking, training-visualization
    Docker for deployment => containers
    MLOps & Deployment => unit:deployment, unit:mlops-practice
    Model serving => model-serving-api, serving-runtimes
    Monitoring => model-monitoring
    CI/CD for ML => ci-cd-ml
    Scale considerations => distributed-training, serving-optimization
    Read influential papers => reading-papers
    Implement paper reproductions => paper-reproduction
    Join research communities => technical-writing, reading-papers
    Contribute to open source => open-source-contribution
    Write technical blogs => technical-writing
    Participate in competitions => competitions
    Classical ML => project-fraud-detection, project-churn, project-recommender
    Credit card fraud detection => project-fraud-detection
    Customer churn prediction => project-churn
    Recommendation system => project-recommender
    Computer Vision => image-classification, object-detection, project-gan-generator
    Image classification from scratch => image-classification
    Object detection system => object-detection
    Image generation with GANs => project-gan-generator
    NLP => text-classification, project-document-qa, fine-tuning-pretrained
    Text classification => text-classification
    Question-answering system with RAG => project-document-qa, question-answering
    Fine-tuned language model => fine-tuning-pretrained
    Custom gym environment => rl-environments
    Game-playing agent => project-game-agent
    Real-world optimization problem => project-game-agent, rl-environments
    """

    /// Items of the `zero-to-hero` roadmap (seed file `003_5bbe465fb42d4200.txt`).
    static let zeroToHeroItems = """
    Python basics mastered => programming-fundamentals
    Math concepts understood (with computational examples) => linear-algebra, calculus-gradients, probability-distributions
    Environment set up => dev-environment
    First Jupyter notebook created => dev-environment
    Can manipulate data with Pandas => dataframes
    Understand when to use Polars/Dask for large datasets => big-data-tools
    Can create visualizations => data-visualization
    Completed first data analysis => exploratory-data-analysis
    Built first regression model => linear-regression
    Built first classification model => logistic-regression
    Performed bias auditing on models => fairness-auditing
    Understand model evaluation => unit:evaluation
    Completed first ML project => project-iris, project-price-prediction
    Used ensemble methods => random-forests, gradient-boosting, stacking-voting
    Performed feature engineering => feature-engineering
    Applied clustering => k-means
    Completed intermediate project => project-churn, project-recommender, project-fraud-detection
    Built neural network => perceptron-mlp, training-loops
    Trained CNN for images => convolution-pooling, image-classification
    Built NLP model => text-classification
    Completed deep learning project => project-mnist, project-sentiment-reviews
    Understand prompt engineering => prompt-engineering
    Built RAG application => rag-pipeline
    Worked with vector databases => vector-databases
    Created LLM agent => agent-frameworks, tool-calling
    Deployed a model (including Hugging Face Spaces) => model-hosting
    Optimized model with quantization => quantization, model-compression
    Set up MLOps pipeline (MLflow, W&B) => experiment-tracking
    Completed advanced project => project-end-to-end-pipeline
    Portfolio ready! => portfolio
    Phase 0: Foundation => unit:mathematics, programming-fundamentals
    Phase 1: Data Fundamentals => tensors, dataframes, data-visualization
    Phase 2: ML Basics => unit:supervised, unit:evaluation
    Phase 3: Advanced ML => random-forests, gradient-boosting, unit:unsupervised, feature-engineering
    Phase 4: Deep Learning => unit:neural-network-basics, unit:frameworks
    Phase 5: Deep Learning Fundamentals => unit:neural-network-basics, unit:training-techniques
    Phase 6: Specialized Deep Learning => unit:convolutional-networks, unit:sequence-models, unit:transformers
    Phase 7: Generative AI & Modern LLMs => phase:llms, rag-pipeline, agent-frameworks
    Phase 7.5: Essential Skills => software-engineering, version-control
    Phase 8: Production & MLOps => unit:deployment, unit:mlops-practice
    Phase 9: Projects => project-end-to-end-pipeline, project-document-qa
    Phase 10: Advanced Specialized Topics => phase:specialized
    """

    /// Items of the `mastery` roadmap (seed file `004_bbf0cdcac1a3162e.txt`).
    static let masteryItems = """
    Linear Algebra (vectors, matrices, eigenvalues, SVD) => linear-algebra
    Calculus (gradients, Jacobians, chain rule) => calculus-gradients
    Probability & Statistics (distributions, expectation, Bayes) => probability-distributions
    Optimization (gradient descent, Adam, RMSprop, etc.) (next term) => gradient-descent, optimizers
    Linear Regression => linear-regression
    Logistic Regression => logistic-regression
    Decision Trees / Random Forests => decision-trees, random-forests
    Boosting and Bagging => random-forests, gradient-boosting
    Support Vector Machines (SVM) => svm
    K-Nearest Neighbors (KNN) => k-nearest-neighbors
    Naive Bayes (Multinomial, Gaussian) => naive-bayes
    Gradient Boosting / XGBoost => gradient-boosting
    K-Means & other clustering methods (Hierarchical clustering, DBSCAN) => k-means, hierarchical-clustering, dbscan
    Gaussian Mixture Models (GMM) => gaussian-mixtures
    Dimensionality Reduction (PCA) => pca
    Bias–Variance Tradeoff => bias-variance
    Cross-validation => cross-validation
    Regularization (Ridge (L2) and Lasso (L1)) => regularized-regression
    Evaluation Metrics (Accuracy, Precision, Recall, F1, ROC, AUC) => classification-metrics
    Feature Engineering / Normalization => feature-engineering, feature-scaling
    Perceptron, Feedforward Networks => perceptron-mlp
    Activation Functions (ReLU, Sigmoid, Tanh, GELU, etc.) => activation-functions
    Backpropagation => backpropagation
    Weight Initialization (Xavier, Kaiming) => weight-initialization
    Dropout / BatchNorm / LayerNorm => regularization-dropout, normalization-layers
    Loss Functions (MSE, Cross-Entropy, BCE, etc.) => loss-functions
    Learning Rate Schedules => learning-rate-schedules
    Early Stopping => early-stopping
    Gradient Clipping => gradient-clipping
    Data Augmentation => data-augmentation
    Mixed Precision Training => mixed-precision
    Convolution / Pooling / Padding => convolution-pooling
    LeNet => classic-cnns
    AlexNet => classic-cnns
    VGG => classic-cnns
    ResNet => resnet
    EfficientNet => modern-cnns
    Transfer Learning => transfer-learning
    Object Detection (YOLO) => object-detection
    Segmentation (U-Net, Mask R-CNN) => image-segmentation
    RNNs => rnn
    LSTMs => lstm-gru
    GRUs => lstm-gru
    Sequence-to-Sequence Models => seq2seq
    Attention Mechanisms => attention
    Encoder–Decoder Architectures => seq2seq, transformer-architecture
    Self-Attention & Multi-Head Attention => attention
    Transformer Architecture (Encoder, Decoder) => transformer-architecture
    Vision Transformer (ViT) => vision-transformer
    BERT & GPT-style models (encoder vs decoder-only) => bert, gpt
    Positional Encoding => positional-encoding
    Fine-tuning large models => fine-tuning-pretrained
    Top-k, Top-p (nucleus) sampling => sampling-strategies
    Autoencoders (AE) => autoencoders
    Variational Autoencoders (VAE) => vae
    Generative Adversarial Networks (GANs) => gan
    Diffusion Models => diffusion-models
    DDPM => diffusion-models
    Stable Diffusion => latent-diffusion
    ControlNet => latent-diffusion
    Transformers => gpt, transformer-architecture
    Flow-based Models (RealNVP, Glow) => normalizing-flows
    Contrastive Learning (SimCLR, MoCo) => contrastive-learning
    Masked Autoencoders (MAE, BEiT) => masked-modeling
    DINO / CLIP (cross-modal self-supervision) => clip-dino
    Markov Decision Processes (MDPs) => mdp
    Bellman Equations (Value / Q-function / Advantage function) => bellman-equations
    Exploration vs. Exploitation (ε-greedy, softmax policies) => exploration-exploitation
    Policy Evaluation & Policy Improvement => dynamic-programming
    Value Iteration / Policy Iteration => dynamic-programming
    Monte Carlo Methods (First-visit / Every-visit) => monte-carlo-rl
    Temporal Difference Learning (TD(0), TD(λ)) => temporal-difference
    SARSA / Q-Learning => q-learning
    Deep Q-Network (DQN) => dqn
    Improvements: Double DQN, Dueling DQN, Prioritized Replay => dqn
    Policy Gradient (REINFORCE) => policy-gradients
    Actor–Critic (A2C, A3C) => actor-critic
    PPO (Proximal Policy Optimization) => ppo-trpo
    TRPO (Trust Region Policy Optimization) => ppo-trpo
    DDPG (Deep Deterministic Policy Gradient) => continuous-control
    TD3 (Twin-Delayed DDPG) => continuous-control
    SAC (Soft Actor–Critic) => continuous-control
    Planning (Dyna-Q) => model-based-rl
    Model-Based RL (Dreamer, MuZero-style) => model-based-rl
    Hierarchical RL (Options Framework) => hierarchical-rl
    Meta-RL (MAML, RL²) => meta-rl
    Multi-Agent RL (MADDPG, QMIX) => multi-agent-rl
    Offline RL (CQL, Conservative Q-Learning) => offline-rl
    Imitation Learning (BC, GAIL) => imitation-learning
    RLHF (Reinforcement Learning from Human Feedback) => rlhf
    Learn OpenAI Gym / Gymnasium environments (spaces, wrappers, vector envs) => rl-environments
    Implement RL algorithms from scratch in PyTorch: => q-learning, dqn, policy-gradients, actor-critic, ppo-trpo
    Q-learning (tabular) => q-learning
    DQN (with Q + target network) => dqn
    REINFORCE => policy-gradients
    Actor–Critic (A2C) => actor-critic
    PPO & GRPO (only implemented PPO but studied GRPO) => ppo-trpo
    DDPG / TD3 / SAC (SAC only) => continuous-control
    Learn stable-baselines3 usage and comparison => rl-libraries
    Logging RL experiments (TensorBoard, Weights & Biases) => rl-libraries
    ReAct (Reason + Act) => react-pattern
    AutoGPT / BabyAGI-style loop => agent-frameworks
    Planning + Reflection loops => agent-planning
    Tool-using agent frameworks (LangChain / LlamaIndex) => agent-frameworks
    Retrieval-Augmented Generation (RAG) => rag-pipeline
    Vector Databases (FAISS, Chroma, Milvus) => vector-databases
    Long-term memory strategies (episodic, semantic) => agent-memory
    RL-driven tool selection => agents-with-rl
    Feedback loops for improving agent behavior => agents-with-rl
    Multi-agent coordination & communication => multi-agent-systems
    Hugging Face deployment => model-hosting
    TorchScript / ONNX model export => serving-runtimes
    FastAPI or Flask inference servers => model-serving-api
    Dockerization for reproducible deployment => containers
    GPU inference optimization (mixed precision, batching) => inference-optimization
    Model quantization / pruning => model-compression, quantization
    Distributed training (PyTorch DDP / DeepSpeed) => distributed-training
    CI/CD for models (GitHub Actions + versioning) => ci-cd-ml
    Monitoring / logging in production (W&B, Mlflow, TensorBoard) => model-monitoring
    Build and train models from scratch => mlp-from-scratch
    Reproduce architectures (ViT, Transformer, etc.) => paper-reproduction, vision-transformer
    Train a symbolic music generation Transformer => gpt, text-generation
    Visualize training metrics (TensorBoard, W&B) => training-visualization
    Use pretrained models (Hugging Face) => huggingface-transformers
    Handle datasets and dataloaders efficiently => data-loading
    Implement an RL environment and agent => rl-environments, project-game-agent
    Build a tool-using AI agent with memory => tool-calling, agent-memory
    """
}
