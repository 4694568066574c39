import Testing

// PlotTests: suites are added per concept, one file each.
