import NIOConcurrencyHelpers
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// HTTP dates (RFC 9110 §5.6.7): written as IMF-fixdate, read in all three historic forms.
public enum HTTPDate {
    private static let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    private static let cachedNow = NIOLockedValueBox((second: 0, text: ""))

    /// The current time's text, formatted once per second rather than once per response.
    public static func now() -> String {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        let second = Int(spec.tv_sec)
        return cachedNow.withLockedValue { cached in
            if cached.second != second { cached = (second, format(second)) }
            return cached.text
        }
    }

    /// `Sun, 06 Nov 1994 08:49:37 GMT` for seconds since 1970.
    public static func format(_ seconds: Int) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(days[Int(parts.tm_wday)]), \(two(parts.tm_mday)) \(months[Int(parts.tm_mon)]) \(parts.tm_year + 1900) "
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec)) GMT"
    }

    /// Seconds since 1970, or nil when the text is not an HTTP date.
    public static func parse(_ text: String) -> Int? {
        // IMF-fixdate, RFC 850 and asctime differ only in separators and field order.
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "," || $0 == ":" }).map(String.init)
        var day: Int?, month: Int?, year: Int?, clock: [Int] = []
        switch fields.count {
        case 8 where fields[7] == "GMT":  // Sun 06 Nov 1994 08 49 37 GMT | Sunday 06 Nov 94 08 49 37 GMT
            day = Int(fields[1]); month = months.firstIndex(of: fields[2]); year = Int(fields[3])
            clock = fields[4...6].compactMap { Int($0) }
        case 7:  // Sun Nov 6 08 49 37 1994 (asctime)
            month = months.firstIndex(of: fields[1]); day = Int(fields[2]); year = Int(fields[6])
            clock = fields[3...5].compactMap { Int($0) }
        default:
            return nil
        }
        guard let day, let month, var year, clock.count == 3, (1...31).contains(day),
              (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]) else { return nil }
        if year < 100 { year += year < 70 ? 2000 : 1900 }
        var parts = tm()
        parts.tm_year = Int32(year - 1900); parts.tm_mon = Int32(month); parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(clock[0]); parts.tm_min = Int32(clock[1]); parts.tm_sec = Int32(clock[2])
        return Int(timegm(&parts))
    }
}
