using Repository.Tests.Model;

namespace Repository.Tests;

/// <summary>Assertions over violations whose failure output lists every violation, one per line.</summary>
internal static class Expect
{
    public static void None(IEnumerable<Violation> violations)
    {
        var list = violations.ToList();
        Assert.True(list.Count == 0, $"{list.Count} violation(s):\n" + string.Join("\n", list));
    }

    /// <summary>Exactly one violation at this file (and line, when given) about this object, containing the fragment.</summary>
    public static Violation One(IEnumerable<Violation> violations, string file, string subject, string fragment, int? line = null)
    {
        var list = violations.ToList();
        var matching = list.Where(v => v.Where.File == file && v.Subject == subject && v.Message.Contains(fragment, StringComparison.Ordinal)).ToList();
        Assert.True(matching.Count == 1, $"expected one violation at {file} for '{subject}' containing '{fragment}', got {matching.Count} among:\n" + string.Join("\n", list));
        var violation = matching[0];
        if (line is not null)
        {
            Assert.Equal(line, violation.Where.Line);
        }
        // The rendered message is what a human reads in CI: it must name the file and the object.
        Assert.Contains(file, violation.ToString(), StringComparison.Ordinal);
        Assert.Contains(subject, violation.ToString(), StringComparison.Ordinal);
        return violation;
    }
}
