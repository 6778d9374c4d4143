namespace Repository.Tests.Model;

/// <summary>
/// Where an object came from: a repository file (with line), or a rendered kustomize entry point (no line) plus, when
/// it can be traced, the source file:line that defines it.
/// </summary>
public sealed record Origin(string File, int? Line = null, string? Source = null)
{
    public override string ToString()
    {
        var where = Line is { } line ? $"{File}:{line}" : File;
        return Source is null ? where : $"{where} (defined in {Source})";
    }
}
