import XCTest
import Serve

final class JSONTests: XCTestCase {
    func testRoundTripKeepsKeyOrderAndNumberText() throws {
        let text = #"{"b":1,"a":[true,null,"x\ny",2.50,-3e2],"c":{"z":{},"y":[]}}"#
        let value = try JSON.parse(Array(text.utf8))
        XCTAssertEqual(value.serialized(), text)
        XCTAssertEqual(value["b"], .number("1"))
    }

    func testParseErrorsAreTypedAPIErrors() {
        for bad in ["", "{", #"{"a":1,"a":2}"#, "[1,]", String(repeating: "[", count: 100) + String(repeating: "]", count: 100)] {
            XCTAssertThrowsError(try JSON.parse(Array(bad.utf8)), bad) { error in
                guard let e = error as? APIError else { return XCTFail("\(error)") }
                XCTAssertEqual(e.status, 400)
                XCTAssertEqual(e.code, "invalid_json")
            }
        }
    }
}
