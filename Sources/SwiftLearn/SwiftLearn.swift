// SwiftLearn: the umbrella module. `import SwiftLearn` brings in every library module.
@_exported import Tensors
@_exported import Learn
@_exported import Datasets
