namespace Repository.Tests.Model;

/// <summary>A broken invariant: where (file, maybe line), which object ("Kind ns/name") and what is wrong.</summary>
public sealed record Violation(Origin Where, string Subject, string Message)
{
    public override string ToString() => $"{Where}: {Subject}: {Message}";
}
