namespace PromotionBot.Configuration;

/// <summary>Keeps credentials out of anything printed: URLs lose their user-info, known secrets become ***.</summary>
public static class Redact
{
    public static string Url(string url)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0)
        {
            return new UriBuilder(uri) { UserName = "", Password = "" }.Uri.ToString();
        }

        return url;
    }

    /// <summary>Replaces every occurrence of each non-empty secret in <paramref name="text"/>.</summary>
    public static string Secrets(string text, IEnumerable<string?> secrets)
    {
        foreach (var secret in secrets)
        {
            if (!string.IsNullOrEmpty(secret) && secret.Length >= 4)
            {
                text = text.Replace(secret, "***", StringComparison.Ordinal);
            }
        }

        return text;
    }
}
