import Testing
import Plot

@Suite struct AxisTicksTests {
    @Test func heckbertNiceNumbers() {
        // Rounded: thresholds 1.5, 3, 7.
        #expect(AxisTicks.niceNumber(1.4, round: true) == 1)
        #expect(AxisTicks.niceNumber(2.9, round: true) == 2)
        #expect(AxisTicks.niceNumber(6.9, round: true) == 5)
        #expect(AxisTicks.niceNumber(7.1, round: true) == 10)
        #expect(AxisTicks.niceNumber(0.034, round: true) == 0.05)
        // Ceiling: the smallest nice number >= x.
        #expect(AxisTicks.niceNumber(438, round: false) == 500)
        #expect(AxisTicks.niceNumber(1.0, round: false) == 1)
        #expect(AxisTicks.niceNumber(1.01, round: false) == 2)
        #expect(AxisTicks.niceNumber(1000, round: false) == 1000)   // exact power of ten stays
    }

    @Test func heckbertExample() {
        // Graphics Gems' example: data 105…543, 5 ticks → 100…600 step 100.
        let t = AxisTicks.linear(min: 105, max: 543, targetCount: 5)
        #expect(t.values == [100, 200, 300, 400, 500, 600])
        #expect(t.labels == ["100", "200", "300", "400", "500", "600"])
        #expect(t.step == 100)
    }

    @Test func decimalsAreExact() {
        let t = AxisTicks.linear(min: 0, max: 1, targetCount: 6)
        #expect(t.labels == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        #expect(t.values[3] == 0.6)
        let u = AxisTicks.linear(min: 0.1, max: 0.35, targetCount: 6)
        #expect(u.labels == ["0.10", "0.15", "0.20", "0.25", "0.30", "0.35"])
        #expect(!u.labels.contains { $0.count > 6 })
        #expect(u.values.contains(0.3))   // 3 × 0.1 computed as 3 / 10, not 0.30000000000000004
    }

    @Test func coversDataWithOneTwoFiveSteps() {
        let cases: [(Double, Double)] = [(-3.7, 12.2), (0.0012, 0.0093), (1e6, 7.5e6), (-0.5, -0.1), (99, 101), (2e-7, 9e-7)]
        for (low, high) in cases {
            let t = AxisTicks.linear(min: low, max: high, targetCount: 5)
            #expect(t.lower <= low && t.upper >= high, "ticks \(t.values) do not cover \(low)…\(high)")
            let exponent = (t.step).log10Rounded
            let mantissa = t.step / pow10(exponent)
            #expect([1, 2, 5].contains { abs(mantissa - $0) < 1e-9 }, "step \(t.step) is not 1, 2 or 5 × 10ⁿ")
            #expect(t.values.count >= 3 && t.values.count <= 12, "\(t.values.count) ticks for \(low)…\(high)")
            #expect(t.values.count == t.labels.count)
            #expect(Set(t.labels).count == t.labels.count, "duplicate labels \(t.labels)")
        }
    }

    @Test func siAndScientificLabels() {
        #expect(AxisTicks.linear(min: 0, max: 50_000, targetCount: 6).labels == ["0", "10k", "20k", "30k", "40k", "50k"])
        #expect(AxisTicks.linear(min: 1e6, max: 7.5e6, targetCount: 5).labels == ["0", "2M", "4M", "6M", "8M"])
        #expect(AxisTicks.linear(min: 0, max: 4e-5, targetCount: 5).labels == ["0", "1×10⁻⁵", "2×10⁻⁵", "3×10⁻⁵", "4×10⁻⁵"])
        #expect(AxisTicks.linear(min: -2500, max: 2500, targetCount: 5).labels.first == "-3000")
    }

    @Test func zeroRangeAndBadBounds() {
        let constant = AxisTicks.linear(min: 5, max: 5)
        #expect(constant.lower < 5 && constant.upper > 5)
        let zero = AxisTicks.linear(min: 0, max: 0)
        #expect(zero.lower <= -1 && zero.upper >= 1)
        let swapped = AxisTicks.linear(min: 10, max: 0)
        #expect(swapped.lower == 0 && swapped.upper == 10)
        let nan = AxisTicks.linear(min: .nan, max: 3)
        #expect(nan.lower == 0 && nan.upper == 1)
    }

    @Test func logarithmicTicks() {
        let t = AxisTicks.logarithmic(min: 0.003, max: 42)
        #expect(t.values == [0.001, 0.01, 0.1, 1, 10, 100])
        #expect(t.labels == ["0.001", "0.01", "0.1", "1", "10", "100"])
        let narrow = AxisTicks.logarithmic(min: 2, max: 30)
        #expect(narrow.labels == ["1", "2", "5", "10", "20", "50", "100"])
        let wide = AxisTicks.logarithmic(min: 1e-9, max: 1e9)
        #expect(wide.values.count <= 10)
        #expect(wide.labels == ["10⁻⁹", "10⁻⁶", "0.001", "1", "1000", "10⁶", "10⁹"])
        #expect(AxisTicks.logarithmic(min: 1, max: 1).values == [0.1, 0.2, 0.5, 1, 2, 5, 10])
    }

    @Test func numberFormats() {
        #expect(PlotNumberFormat.fixed(0.1 + 0.2, decimals: 2) == "0.30")
        #expect(PlotNumberFormat.fixed(-0.0001, decimals: 2) == "0.00")
        #expect(PlotNumberFormat.compact(0.87345) == "0.873")
        #expect(PlotNumberFormat.compact(42) == "42")
        #expect(PlotNumberFormat.compact(-180.3) == "-180")
        #expect(PlotNumberFormat.compact(123_456) == "123k")
        #expect(PlotNumberFormat.compact(2_500_000) == "2.5M")
        #expect(PlotNumberFormat.compact(0.000015) == "1.5×10⁻⁵")
        #expect(PlotNumberFormat.scientific(9.9996e-4) == "1×10⁻³")
        #expect(PlotNumberFormat.compact(.nan) == "NaN")
    }
}

private func pow10(_ e: Int) -> Double {
    var r = 1.0
    for _ in 0..<abs(e) { r *= 10 }
    return e >= 0 ? r : 1 / r
}

private extension Double {
    /// The power of ten of a positive value's leading digit.
    var log10Rounded: Int {
        var e = 0, v = self
        while v >= 10 { v /= 10; e += 1 }
        while v < 1 { v *= 10; e -= 1 }
        return e
    }
}
