using System.Globalization;

namespace ImagingCds.LoadTest;

/// <summary>Value parsers shared by the tool's modes; each throws <see cref="ArgumentException"/> naming the option.</summary>
internal static class CommandLine
{
    /// <summary>The options as name/value pairs, in order; every option takes a value.</summary>
    public static IEnumerable<(string Name, string Value)> Pairs(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        for (var i = 0; i < args.Count; i += 2)
        {
            yield return i + 1 < args.Count ? (args[i], args[i + 1]) : throw new ArgumentException($"{args[i]} needs a value");
        }
    }

    public static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{name} must be a positive integer, not '{value}'");

    /// <summary>Positive whole numbers separated by commas, e.g. <c>1,16,64</c>.</summary>
    public static IReadOnlyList<int> PositiveList(string name, string value) =>
        value.Split(',', StringSplitOptions.TrimEntries).Select(item => Positive(name, item)).ToArray();

    /// <summary>Seconds, with or without a trailing <c>s</c>: <c>60s</c>, <c>0.5</c>.</summary>
    public static TimeSpan Seconds(string name, string value)
    {
        var seconds = value.EndsWith('s') ? value[..^1] : value;
        return double.TryParse(seconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : throw new ArgumentException($"{name} must be seconds such as 60s, not '{value}'");
    }

    /// <summary>Milliseconds, with or without a trailing <c>ms</c>: <c>50ms</c>, <c>0</c>.</summary>
    public static TimeSpan Milliseconds(string name, string value)
    {
        var milliseconds = value.EndsWith("ms", StringComparison.Ordinal) ? value[..^2] : value;
        return double.TryParse(milliseconds, NumberStyles.Float, CultureInfo.InvariantCulture, out var ms) && ms >= 0
            ? TimeSpan.FromMilliseconds(ms)
            : throw new ArgumentException($"{name} must be milliseconds such as 50ms, not '{value}'");
    }
}
