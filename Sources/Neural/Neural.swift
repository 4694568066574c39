// Module Neural: PyTorch's part of the roadmap (modules, layers, losses, optimizers, data loading).
// See docs/ARCHITECTURE.md. Files are grouped by concern: Core/, Layers/, Losses/, Optim/, Data/, Models/.
