using System.Text;

namespace PromotionBot.PullRequests;

/// <summary>
/// A minimal unified diff for dry-run output: the changed lines with a few lines of context. Manifests are small,
/// so a plain LCS table is fast enough and keeps this dependency-free.
/// </summary>
public static class UnifiedDiff
{
    public static string Compute(string path, string before, string after, int context = 3)
    {
        var a = Lines(before);
        var b = Lines(after);
        var ops = Operations(a, b);
        var sb = new StringBuilder();
        sb.Append("--- a/").AppendLine(path);
        sb.Append("+++ b/").AppendLine(path);

        var changed = ops.Select((op, i) => (op, i)).Where(x => x.op.Kind != ' ').Select(x => x.i).ToList();
        var h = 0;
        while (h < changed.Count)
        {
            var start = Math.Max(0, changed[h] - context);
            var end = Math.Min(ops.Count - 1, changed[h] + context);
            while (h + 1 < changed.Count && changed[h + 1] - context <= end + 1)
            {
                h++;
                end = Math.Min(ops.Count - 1, changed[h] + context);
            }

            var slice = ops.Skip(start).Take(end - start + 1).ToList();
            var aStart = ops.Take(start).Count(o => o.Kind != '+') + 1;
            var bStart = ops.Take(start).Count(o => o.Kind != '-') + 1;
            sb.AppendLine($"@@ -{aStart},{slice.Count(o => o.Kind != '+')} +{bStart},{slice.Count(o => o.Kind != '-')} @@");
            foreach (var op in slice)
            {
                sb.Append(op.Kind).AppendLine(op.Line);
            }

            h++;
        }

        return sb.ToString();
    }

    private static string[] Lines(string text) => text.ReplaceLineEndings("\n").TrimEnd('\n').Split('\n');

    private static List<(char Kind, string Line)> Operations(string[] a, string[] b)
    {
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
        {
            for (var j = b.Length - 1; j >= 0; j--)
            {
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
            }
        }

        var ops = new List<(char, string)>();
        int x = 0, y = 0;
        while (x < a.Length || y < b.Length)
        {
            if (x < a.Length && y < b.Length && a[x] == b[y])
            {
                ops.Add((' ', a[x++]));
                y++;
            }
            else if (y < b.Length && (x == a.Length || lcs[x, y + 1] >= lcs[x + 1, y]))
            {
                // Deletions first, then additions, as `git diff` prints them.
                if (x < a.Length && lcs[x + 1, y] == lcs[x, y])
                {
                    ops.Add(('-', a[x++]));
                }
                else
                {
                    ops.Add(('+', b[y++]));
                }
            }
            else
            {
                ops.Add(('-', a[x++]));
            }
        }

        return ops;
    }
}
