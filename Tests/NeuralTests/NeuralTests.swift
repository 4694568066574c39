import Testing

// NeuralTests: suites are added per concept, one file each.
