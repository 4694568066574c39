import SwiftLearn
print("swiftlearn")
