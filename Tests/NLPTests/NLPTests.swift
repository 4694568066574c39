import Testing

// NLPTests: suites are added per concept, one file each.
