using System.Text;

namespace PromotionBot.Manifest;

/// <summary>Replace <see cref="Length"/> characters at <see cref="Index"/> with <see cref="Text"/> (Length 0 = insert).</summary>
internal sealed record TextSplice(int Index, int Length, string Text)
{
    /// <summary>Applies non-overlapping splices; everything outside them is copied unchanged.</summary>
    public static string Apply(string text, IEnumerable<TextSplice> splices)
    {
        var ordered = splices.OrderBy(s => s.Index).ToList();
        var result = new StringBuilder(text.Length + 64);
        var copied = 0;
        foreach (var splice in ordered)
        {
            if (splice.Index < copied || splice.Index + splice.Length > text.Length)
            {
                throw new InvalidOperationException($"overlapping or out-of-range splice at index {splice.Index}");
            }
            result.Append(text, copied, splice.Index - copied).Append(splice.Text);
            copied = splice.Index + splice.Length;
        }
        return result.Append(text, copied, text.Length - copied).ToString();
    }
}
