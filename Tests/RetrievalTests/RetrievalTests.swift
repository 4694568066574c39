import Testing

// RetrievalTests: suites are added per concept, one file each.
