using System.Text;

namespace PromotionBot.Manifest;

/// <summary>
/// Byte-faithful text for manifest files: UTF-8 decoded with any BOM kept as U+FEFF, so writing the edited text back
/// reproduces the original bytes everywhere the edit did not touch. (File.ReadAllText would drop the BOM.)
/// </summary>
public static class ManifestText
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Decode(byte[] bytes) => Utf8.GetString(bytes);

    public static byte[] Encode(string text) => Utf8.GetBytes(text);

    public static string Read(string file) => Decode(File.ReadAllBytes(file));

    public static void Write(string file, string text) => File.WriteAllBytes(file, Encode(text));
}
