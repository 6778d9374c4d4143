using System.CommandLine.Parsing;
using System.Globalization;

namespace PromotionBot.Cli;

/// <summary>The one parser for times on the command line (<c>--at</c> of analyze and run): RFC 3339 with a zone.</summary>
internal static class Rfc3339
{
    public const string Example = "2026-11-25T12:00:00Z";

    /// <summary>A time without zone would mean the machine's zone, so the same command could judge another instant elsewhere.</summary>
    public static bool TryParse(string text, out DateTimeOffset time) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out time)
        && (text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 19 && text[^6] is '+' or '-'));

    /// <summary>System.CommandLine custom parser: the option's value, or a parse error naming the option.</summary>
    public static DateTimeOffset? Parse(ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (TryParse(text, out var time))
        {
            return time;
        }

        var option = (result.Parent as OptionResult)?.Option.Name ?? "--at";
        result.AddError($"{option} must be an RFC 3339 time with a zone, such as {Example}, got '{text}'");
        return null;
    }
}
