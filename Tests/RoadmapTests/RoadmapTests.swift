import Testing

// RoadmapTests: suites are added per concept, one file each.
