import Foundation

extension CurriculumPhase {
    /// Phase 10: graphs, time series, advanced vision, self-supervision, explainability and domains.
    public static let specializedDomains = CurriculumPhase(
        id: "specialized", title: "Specialised domains",
        goal: "Apply deep learning to graphs, time, images and small-data settings, and explain what models do.",
        units: [
            unit("graph-learning", "Graph neural networks", [
                topic("graph-representations", "Graph representations", hours: 2, after: ["linear-algebra"],
                      "Nodes, edges, adjacency matrices and features on both."),
                topic("gcn", "Graph convolutional networks and message passing", hours: 5, after: ["graph-representations", "training-loops"],
                      "Aggregating neighbours' features layer by layer."),
                topic("graph-attention", "Graph attention networks", hours: 3, after: ["gcn", "attention"],
                      "Learning how much each neighbour matters."),
                topic("gnn-tasks", "Node and graph classification", hours: 4, after: ["gcn"],
                      "Citation graphs such as Cora and molecule property prediction with graph-level pooling."),
                topic("project-molecular-properties", "Project: molecular property prediction", hours: 28, after: ["gnn-tasks", "graph-attention"],
                      "Predict molecule properties (for example QM9), compare GNN types and show attention weights."),
            ]),
            unit("time-series", "Time series and forecasting", [
                topic("time-series-analysis", "Time-series analysis and ARIMA", hours: 6, after: ["descriptive-statistics", "linear-regression"],
                      "Trend, seasonality, stationarity, autocorrelation and ARIMA models."),
                topic("deep-forecasting", "Deep forecasting: LSTM and TCN", hours: 4, after: ["lstm-gru"],
                      "Recurrent and temporal-convolution forecasters, multivariate inputs."),
                topic("time-series-transformers", "Transformers for time series", hours: 4, after: ["deep-forecasting", "transformer-architecture"],
                      "Attention-based forecasters such as the Temporal Fusion Transformer."),
                topic("anomaly-detection", "Anomaly detection", hours: 4, after: ["time-series-analysis"],
                      "Finding unusual points or windows, in real time when needed."),
                topic("project-forecasting-system", "Project: a forecasting system", hours: 32, after: ["deep-forecasting", "time-series-analysis"],
                      "Several forecasters and an ensemble on real series, served in a dashboard with retraining."),
            ]),
            unit("advanced-vision", "Advanced computer vision", [
                topic("object-detection", "Object detection", hours: 6, after: ["resnet"],
                      "Boxes and classes at once: YOLO, anchor boxes, non-maximum suppression, Mask R-CNN."),
                topic("image-segmentation", "Semantic segmentation", hours: 5, after: ["resnet"],
                      "A label per pixel with encoder–decoder networks such as U-Net."),
                topic("edge-ml", "Edge and mobile ML", hours: 5, after: ["quantization"],
                      "Shrinking and converting models (TFLite, ONNX, Core ML) to run on phones and devices."),
                topic("multimodal-ai", "Multimodal models", hours: 4, after: ["vision-transformer", "gpt"],
                      "Models that read text and images together."),
                topic("project-realtime-detection", "Project: real-time object detection app", hours: 38, after: ["object-detection", "edge-ml"],
                      "Train a custom detector, optimise it for a phone and benchmark it."),
            ]),
            unit("self-supervised", "Self-supervised and few-shot learning", [
                topic("contrastive-learning", "Contrastive learning (SimCLR, MoCo)", hours: 5, after: ["data-augmentation", "resnet"],
                      "Learning representations by pulling augmented views together and pushing others apart.",
                      code: ["Generative.ntXentLoss", "Generative.digitEncoder"], demo: true, checkpoints: ["simclr-probe"]),
                topic("masked-modeling", "Masked modelling (MAE, BEiT)", hours: 4, after: ["vision-transformer"],
                      "Reconstructing hidden patches as a pretraining task."),
                topic("clip-dino", "Cross-modal and self-distillation methods (CLIP, DINO)", hours: 4, after: ["contrastive-learning"],
                      "Aligning images with text, and students learning from their own teacher."),
                topic("few-shot-learning", "Few-shot and meta-learning", hours: 5, after: ["contrastive-learning"],
                      "Prototypical networks and MAML: learning new classes from a handful of examples.",
                      code: ["Generative.PrototypicalNetwork"], demo: true, checkpoints: ["maml-sinusoid"]),
                topic("project-few-shot", "Project: a few-shot image classifier", hours: 38, after: ["few-shot-learning"],
                      "Pretrain with SimCLR, then classify new classes from a few labels and evaluate on several sets."),
            ]),
            unit("explainability", "Explainability and ethics", [
                topic("explainable-ai", "Explaining predictions: SHAP and LIME", hours: 5, after: ["random-forests"],
                      "Attributing a prediction to its features, globally and for one example."),
                topic("saliency-maps", "Saliency and Grad-CAM", hours: 3, after: ["convolution-pooling"],
                      "Which pixels drove an image model's decision."),
                topic("ai-ethics", "Responsible AI: bias mitigation and model cards", hours: 4, after: ["fairness-auditing"],
                      "Detecting and reducing bias, documenting models, and regulatory duties."),
                topic("project-explainable-system", "Project: an explainable ML system", hours: 28, after: ["explainable-ai", "ai-ethics"],
                      "Add explanations, fairness checks and a model card to an existing model."),
            ]),
            unit("domain-applications", "Domain applications", [
                topic("domain-applications", "ML in a domain: health, finance, robotics, science", hours: 45, after: ["ml-introduction"],
                      "A domain's data, constraints and regulations, and a validated solution built with its experts."),
            ]),
        ])
}
