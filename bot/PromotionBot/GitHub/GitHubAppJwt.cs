using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace PromotionBot.GitHub;

/// <summary>
/// The GitHub App JSON Web Token (RS256) that authenticates as the App itself, only to mint installation tokens.
/// Hand-rolled because it is three base64url segments and one RSA signature — no JWT package needed.
/// </summary>
public static class GitHubAppJwt
{
    public static string Create(long appId, string privateKeyPem, DateTimeOffset now)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(privateKeyPem);
        }
        catch (ArgumentException)
        {
            // Never echo the key material: say what is wrong, not what was read.
            throw new InvalidOperationException("GitHub:PrivateKeyPath does not contain a PEM-encoded RSA private key.");
        }

        // iat is back-dated to absorb clock drift; GitHub rejects exp more than 10 minutes ahead.
        var header = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, string> { ["alg"] = "RS256", ["typ"] = "JWT" }));
        var payload = Base64Url(JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object>
        {
            ["iat"] = now.AddSeconds(-60).ToUnixTimeSeconds(),
            ["exp"] = now.AddMinutes(9).ToUnixTimeSeconds(),
            ["iss"] = appId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }));
        var signingInput = $"{header}.{payload}";
        var signature = rsa.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signingInput}.{Base64Url(signature)}";
    }

    internal static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
