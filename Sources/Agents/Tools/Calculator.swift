import Foundation

/// A safe arithmetic evaluator for the `calculator` tool: numbers, `+ - * / % ^`, parentheses,
/// `pi`, `e`, and the functions sqrt, abs, exp, ln/log (natural), log10, log2, sin, cos, tan,
/// floor, ceil, round, min, max. No names, no side effects; at most 2000 characters and 200
/// levels of nesting.
public enum Calculator {
    /// The value of `expression`.
    /// - Throws: ``AgentError/invalidToolArguments(tool:reason:)`` naming the position of the problem.
    public static func evaluate(_ expression: String) throws -> Double {
        guard expression.count <= 2000 else { throw fail("the expression is longer than 2000 characters") }
        var p = Parser(Array(expression.unicodeScalars))
        let v = try p.expression()
        p.skipSpaces()
        guard p.at == p.chars.count else { throw fail("unexpected '\(Character(p.chars[p.at]))' at position \(p.at + 1)") }
        guard v.isFinite else { throw fail("the result is not a finite number") }
        return v
    }

    /// A result as text: integers without a decimal point, others with up to 12 significant digits.
    public static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return String(format: "%.12g", v)
    }

    static func fail(_ reason: String) -> AgentError { .invalidToolArguments(tool: "calculator", reason: reason) }

    struct Parser {
        let chars: [Unicode.Scalar]
        var at = 0
        var depth = 0
        init(_ c: [Unicode.Scalar]) { chars = c }

        mutating func skipSpaces() { while at < chars.count, chars[at] == " " || chars[at] == "\t" { at += 1 } }
        mutating func peek() -> Unicode.Scalar? { skipSpaces(); return at < chars.count ? chars[at] : nil }
        mutating func take(_ c: Unicode.Scalar) -> Bool { if peek() == c { at += 1; return true }; return false }

        mutating func nest<T>(_ body: (inout Parser) throws -> T) throws -> T {
            depth += 1
            defer { depth -= 1 }
            guard depth <= 200 else { throw Calculator.fail("nested more than 200 levels deep") }
            return try body(&self)
        }

        mutating func expression() throws -> Double {
            try nest { p in
                var v = try p.term()
                while true {
                    if p.take("+") { v += try p.term() } else if p.take("-") { v -= try p.term() } else { return v }
                }
            }
        }

        mutating func term() throws -> Double {
            var v = try unary()
            while true {
                if take("*") { v *= try unary() } else if take("/") {
                    let d = try unary()
                    guard d != 0 else { throw Calculator.fail("division by zero") }
                    v /= d
                } else if take("%") {
                    let d = try unary()
                    guard d != 0 else { throw Calculator.fail("modulo by zero") }
                    v = v.truncatingRemainder(dividingBy: d)
                } else { return v }
            }
        }

        mutating func unary() throws -> Double {
            try nest { p in
                if p.take("-") { return -(try p.unary()) }
                if p.take("+") { return try p.unary() }
                let base = try p.primary()
                if p.take("^") { return pow(base, try p.unary()) }
                return base
            }
        }

        mutating func primary() throws -> Double {
            guard let c = peek() else { throw Calculator.fail("the expression ends too early") }
            if c == "(" {
                at += 1
                let v = try expression()
                guard take(")") else { throw Calculator.fail("missing ')' at position \(at + 1)") }
                return v
            }
            if CharacterSet.decimalDigits.contains(c) || c == "." { return try number() }
            if CharacterSet.letters.contains(c) { return try call() }
            throw Calculator.fail("unexpected '\(Character(c))' at position \(at + 1)")
        }

        mutating func number() throws -> Double {
            let start = at
            while at < chars.count, CharacterSet.decimalDigits.contains(chars[at]) || chars[at] == "." { at += 1 }
            if at < chars.count, chars[at] == "e" || chars[at] == "E" {
                var j = at + 1
                if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
                if j < chars.count, CharacterSet.decimalDigits.contains(chars[j]) {
                    at = j
                    while at < chars.count, CharacterSet.decimalDigits.contains(chars[at]) { at += 1 }
                }
            }
            let text = String(String.UnicodeScalarView(chars[start..<at]))
            guard let v = Double(text) else { throw Calculator.fail("'\(text)' is not a number") }
            return v
        }

        mutating func call() throws -> Double {
            let start = at
            while at < chars.count, CharacterSet.letters.contains(chars[at]) || CharacterSet.decimalDigits.contains(chars[at]) { at += 1 }
            let name = String(String.UnicodeScalarView(chars[start..<at])).lowercased()
            if name == "pi" { return Double.pi }
            if name == "e" { return M_E }
            guard take("(") else { throw Calculator.fail("unknown name '\(name)'") }
            var args: [Double] = []
            if !take(")") {
                repeat { args.append(try expression()) } while take(",")
                guard take(")") else { throw Calculator.fail("missing ')' after the arguments of \(name)") }
            }
            func one(_ f: (Double) -> Double) throws -> Double {
                guard args.count == 1 else { throw Calculator.fail("\(name) takes one argument") }
                return f(args[0])
            }
            switch name {
            case "sqrt":
                guard args.count == 1, args[0] >= 0 else { throw Calculator.fail("sqrt takes one number ≥ 0") }
                return args[0].squareRoot()
            case "abs": return try one { abs($0) }
            case "exp": return try one { Foundation.exp($0) }
            case "ln", "log":
                guard args.count == 1, args[0] > 0 else { throw Calculator.fail("\(name) takes one number > 0") }
                return Foundation.log(args[0])
            case "log10":
                guard args.count == 1, args[0] > 0 else { throw Calculator.fail("log10 takes one number > 0") }
                return Foundation.log10(args[0])
            case "log2":
                guard args.count == 1, args[0] > 0 else { throw Calculator.fail("log2 takes one number > 0") }
                return Foundation.log2(args[0])
            case "sin": return try one { Foundation.sin($0) }
            case "cos": return try one { Foundation.cos($0) }
            case "tan": return try one { Foundation.tan($0) }
            case "floor": return try one { $0.rounded(.down) }
            case "ceil": return try one { $0.rounded(.up) }
            case "round": return try one { $0.rounded() }
            case "min", "max":
                guard !args.isEmpty else { throw Calculator.fail("\(name) takes at least one argument") }
                return name == "min" ? args.min()! : args.max()!
            default: throw Calculator.fail("unknown function '\(name)'")
            }
        }
    }
}
