using System.Text;

namespace PromotionBot.Manifest;

/// <summary>
/// Proves an edit did only what was planned: the new text's documents must equal the original ones with the planned
/// model changes applied (values, tags, anchors, styles and key order compared; positions ignored).
/// </summary>
internal static class SpliceVerifier
{
    public static void Verify(string path, IReadOnlyList<YamlNode> before, WeightEditPlan plan, IReadOnlyList<YamlNode> after)
    {
        if (before.Count != after.Count)
        {
            throw Failed(path, $"the edited file has {after.Count} documents instead of {before.Count}");
        }
        for (var i = 0; i < before.Count; i++)
        {
            var expected = Canonical(before[i], plan);
            var actual = Canonical(after[i], null);
            if (expected != actual)
            {
                var at = FirstDifference(expected, actual);
                throw Failed(path, $"document {i + 1} differs from the original beyond the weights (canonical form differs at " +
                    $"'{Excerpt(expected, at)}' vs '{Excerpt(actual, at)}')");
            }
        }
    }

    internal static RepoFileException Failed(string path, string problem) =>
        new(path, 0, 0, $"internal error: edit verification failed, file left unchanged: {problem}");

    /// <summary>A position-free text form of a node tree, with the plan's changes applied to the original nodes.</summary>
    internal static string Canonical(YamlNode root, WeightEditPlan? plan)
    {
        var text = new StringBuilder();
        Write(root);
        return text.ToString();

        void Write(YamlNode node)
        {
            text.Append('<').Append(node.Anchor).Append('|').Append(node.Tag).Append('>');
            switch (node)
            {
                case YamlScalar s:
                    var value = plan is not null && plan.NewScalarValues.TryGetValue(s, out var changed) ? changed : s.Value;
                    Scalar(value, s.Style.ToString());
                    break;
                case YamlAliasNode a:
                    text.Append('*').Append(a.Name).Append(';');
                    break;
                case YamlMapping m:
                    text.Append(m.Flow ? "{" : "M{");
                    foreach (var pair in m.Pairs)
                    {
                        Write(pair.Key);
                        text.Append(':');
                        Write(pair.Value);
                    }
                    if (plan is not null && plan.AppendedWeights.TryGetValue(m, out var weight))
                    {
                        text.Append("<|>");
                        Scalar("weight", "Plain");
                        text.Append(":<|>");
                        Scalar(weight, "Plain");
                    }
                    text.Append('}');
                    break;
                case YamlSequence q:
                    text.Append(q.Flow ? "[" : "S[");
                    foreach (var item in q.Items)
                    {
                        Write(item);
                    }
                    text.Append(']');
                    break;
            }
        }

        void Scalar(string value, string style) =>
            text.Append(style).Append('"').Append(value.Replace("\\", "\\\\", StringComparison.Ordinal)
                .Replace("\"", "\\\"", StringComparison.Ordinal)).Append("\";");
    }

    private static int FirstDifference(string a, string b)
    {
        var i = 0;
        while (i < a.Length && i < b.Length && a[i] == b[i])
        {
            i++;
        }
        return i;
    }

    private static string Excerpt(string s, int at) => s.Substring(Math.Max(0, at - 20), Math.Min(s.Length, at + 20) - Math.Max(0, at - 20));
}
