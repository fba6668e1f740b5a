/// xs:duration as MPDs use it (`PT1M2.5S`, `P1DT2H`, `PT0S`): seconds, or nil when malformed.
/// Years and months have no fixed length and never appear in MPDs; they are refused.
public enum ISODuration {
    public static func seconds(_ text: String) -> Double? {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        var sign = 1.0
        if rest.hasPrefix("-") { sign = -1; rest = rest.dropFirst() }
        guard rest.hasPrefix("P") else { return nil }
        rest = rest.dropFirst()
        var total = 0.0
        var inTime = false
        var number = ""
        var sawComponent = false
        for character in rest {
            switch character {
            case "T" where !inTime && number.isEmpty:
                inTime = true
            case "0"..."9", ".":
                number.append(character)
            default:
                guard let value = Double(number) else { return nil }
                let unit: Double
                switch (character, inTime) {
                case ("D", false): unit = 86_400
                case ("H", true): unit = 3_600
                case ("M", true): unit = 60
                case ("S", true): unit = 1
                default: return nil
                }
                total += value * unit
                number = ""
                sawComponent = true
            }
        }
        guard number.isEmpty, sawComponent else { return nil }
        return sign * total
    }
}
