import Foundation

extension CurriculumPhase {
    /// Phase 11: deploying, operating and scaling models.
    public static let production = CurriculumPhase(
        id: "mlops", title: "MLOps and production",
        goal: "Ship models as services, track and version them, monitor them, and train and serve at scale.",
        units: [
            unit("deployment", "Deployment", [
                topic("model-serving-api", "Serving a model behind a REST API", hours: 4, after: ["saving-loading-models"],
                      "An HTTP endpoint that loads a model once and answers prediction requests (FastAPI, Flask).",
                      code: ["Serve.ServeApp", "Serve.PredictService", "Serve.HTTPServer"], demo: true, checkpoints: ["serve-a-model"]),
                topic("serving-runtimes", "Serving runtimes and model export", hours: 4, after: ["model-serving-api"],
                      "TorchServe, TensorFlow Serving, ONNX Runtime; exporting with ONNX or TorchScript."),
                topic("containers", "Containers with Docker", hours: 4, after: ["model-serving-api"],
                      "Reproducible images for training and serving."),
                topic("kubernetes", "Orchestration with Kubernetes", hours: 5, after: ["containers"],
                      "Scaling and rolling out containerised services."),
                topic("serverless", "Serverless deployment", hours: 3, after: ["containers"],
                      "Functions as a service (AWS Lambda, Google Cloud Functions) for spiky traffic."),
                topic("cloud-ml-platforms", "Cloud ML platforms", hours: 6, after: ["containers"],
                      "SageMaker training jobs, endpoints and pipelines; Bedrock foundation models, knowledge bases and agents; S3, ECR, CloudWatch; Vertex AI and Azure ML."),
                topic("model-hosting", "Hosting demos on Hugging Face Spaces", hours: 2, after: ["model-serving-api"],
                      "Publishing a model with a small web interface."),
            ]),
            unit("mlops-practice", "MLOps practice", [
                topic("experiment-tracking", "Experiment tracking", hours: 3, after: ["training-loops"],
                      "Logging parameters, metrics and artefacts of every run (MLflow, Weights & Biases).",
                      code: ["Ops.TrackingServer", "Ops.TrackingStore", "Ops.RunTracker", "Ops.SearchFilter"], demo: true, checkpoints: ["track-a-sweep"]),
                topic("data-versioning", "Data and code versioning", hours: 2, after: ["version-control"],
                      "Versioning data sets beside the code (DVC)."),
                topic("model-registry", "Model registry and versioning", hours: 2, after: ["experiment-tracking"],
                      "Named, versioned models with stages from staging to production.",
                      code: ["Ops.TrackingStore.createModelVersion", "Ops.TrackingStore.setAlias", "Ops.TrackingStore.transitionStage"], demo: true,
                      checkpoints: ["registry-champion"]),
                topic("ci-cd-ml", "CI/CD for ML", hours: 4, after: ["software-engineering", "containers"],
                      "Automated tests, training and deployment pipelines (GitHub Actions)."),
                topic("ab-testing", "A/B testing models", hours: 2, after: ["hypothesis-testing", "model-serving-api"],
                      "Comparing models on live traffic with a sound statistical test."),
                topic("model-monitoring", "Monitoring models in production", hours: 4, after: ["model-serving-api"],
                      "Tracking performance metrics, logs and latency of a live model."),
                topic("drift-detection", "Data and model drift", hours: 3, after: ["model-monitoring", "hypothesis-testing"],
                      "Detecting when inputs or the input–output relation change, and retraining.",
                      code: ["Ops.DriftMonitor", "Ops.DriftStatistics"], demo: true, checkpoints: ["detect-drift"]),
                topic("serving-optimization", "Cost, latency and caching", hours: 3, after: ["model-monitoring"],
                      "Batching, caching and right-sizing to cut cost and latency."),
            ]),
            unit("scaling", "Optimisation and scale", [
                topic("model-compression", "Model compression: quantisation, pruning and fast runtimes", hours: 5, after: ["quantization"],
                      "Smaller, faster models with pruning, quantisation and runtimes such as TensorRT, ONNX and GGML."),
                topic("inference-optimization", "Inference optimisation on accelerators", hours: 3, after: ["mixed-precision"],
                      "Batching, reduced precision and kernel fusion for GPU inference."),
                topic("distributed-training", "Distributed training", hours: 8, after: ["gpu-acceleration"],
                      "Data parallelism (DDP), sharded training (FSDP, ZeRO, DeepSpeed) and model parallelism."),
            ]),
            unit("mlops-projects", "Production projects", [
                topic("project-end-to-end-pipeline", "Project: an end-to-end ML pipeline", hours: 28, after: ["experiment-tracking", "containers", "ci-cd-ml"],
                      "Take an earlier project to production: tracking, REST API, container, CI/CD and a cloud deployment."),
                topic("project-large-scale-training", "Project: training a large model at scale", hours: 32, after: ["distributed-training", "experiment-tracking"],
                      "Distributed training of a large model with throughput tuning and a scaling report."),
            ]),
        ])

    /// Phase 12: research habits, community and the capstone.
    public static let research = CurriculumPhase(
        id: "research", title: "Research and portfolio",
        goal: "Read and reproduce papers, contribute back, and finish with a capstone and a portfolio.",
        units: [
            unit("research-practice", "Research practice", [
                topic("reading-papers", "Reading papers", hours: 10, after: ["ml-introduction"],
                      "A reading order through landmark papers (AlexNet, ResNet, the Transformer, BERT, GPT, Stable Diffusion, PPO)."),
                topic("paper-reproduction", "Reproducing a paper", hours: 30, after: ["reading-papers"],
                      "Implement a paper from scratch, match its results, then extend it."),
                topic("open-source-contribution", "Contributing to open source", hours: 10, after: ["version-control"],
                      "Finding an issue, fixing it and getting the change merged in an ML library."),
                topic("technical-writing", "Technical writing and teaching", hours: 6, after: ["ml-introduction"],
                      "Blog posts, paper summaries and explanations for others."),
                topic("competitions", "Competitions", hours: 20, after: ["cross-validation"],
                      "Kaggle-style competitions as deliberate practice."),
                topic("portfolio", "Building a portfolio", hours: 8, after: ["version-control"],
                      "Public repositories, write-ups and results that show what you can do."),
                topic("capstone-research", "Capstone: an original research project", hours: 60, after: ["paper-reproduction"],
                      "Find a gap, propose and test an approach, write it up, open-source it and present it."),
            ]),
        ])
}
