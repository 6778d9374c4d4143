namespace PromotionBot.Tests.Manifest;

/// <summary>Access to the before/after manifests under Manifest/Golden (copied next to the test assembly).</summary>
internal static class GoldenFiles
{
    public static string Dir => Path.Combine(AppContext.BaseDirectory, "Manifest", "Golden");

    public static byte[] Bytes(string name) => File.ReadAllBytes(Path.Combine(Dir, name));
}
