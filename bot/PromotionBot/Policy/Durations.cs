using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace PromotionBot.Policy;

/// <summary>Prometheus-style durations ("90s", "5m", "1h30m"), so policies read like the PromQL they become.</summary>
public static partial class Durations
{
    // ASCII digits only (\d would take other scripts' digits), at most 6 per unit: the policy schema's duration pattern says the same.
    [GeneratedRegex(@"^(?:([0-9]{1,6})h)?(?:([0-9]{1,6})m)?(?:([0-9]{1,6})s)?$")]
    private static partial Regex Pattern();

    public static bool TryParse(string text, out TimeSpan value)
    {
        value = default;
        var m = Pattern().Match(text);
        if (!m.Success || text.Length == 0)
        {
            return false;
        }

        long Part(int i) => m.Groups[i].Success ? long.Parse(m.Groups[i].Value, CultureInfo.InvariantCulture) : 0;
        value = TimeSpan.FromSeconds((Part(1) * 3600) + (Part(2) * 60) + Part(3));
        return true;
    }

    /// <summary>Formats whole seconds the way PromQL range selectors accept them, e.g. 600s → "10m".</summary>
    public static string Format(TimeSpan span)
    {
        var seconds = (long)Math.Round(span.TotalSeconds);
        if (seconds <= 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (seconds >= 3600)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{seconds / 3600}h");
            seconds %= 3600;
        }

        if (seconds >= 60)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{seconds / 60}m");
            seconds %= 60;
        }

        if (seconds > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{seconds}s");
        }

        return sb.ToString();
    }
}
