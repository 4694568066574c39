// SwiftLearn: the umbrella module. `import SwiftLearn` brings in every library module.
@_exported import Tensors
