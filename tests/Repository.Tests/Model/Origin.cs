namespace Repository.Tests.Model;

/// <summary>Where an object came from: a repository file (with line) or a rendered kustomize entry point (no line).</summary>
public sealed record Origin(string File, int? Line = null)
{
    public override string ToString() => Line is { } line ? $"{File}:{line}" : File;
}
