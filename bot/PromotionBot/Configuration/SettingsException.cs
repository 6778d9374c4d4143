namespace PromotionBot.Configuration;

/// <summary>A settings problem found at startup outside the options validators (cluster keys); one line per problem, never a secret value.</summary>
public sealed class SettingsException(IReadOnlyList<string> problems)
    : Exception("Invalid configuration:" + string.Concat(problems.Select(p => Environment.NewLine + "  - " + p)))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}
