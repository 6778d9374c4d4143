namespace PromotionBot.Worker;

/// <summary>
/// Whether this replica may act. Only the leader runs cycles; a standby stays ready and serves its endpoints.
/// Lease-based election replaces the default registration (<see cref="AlwaysLeader"/>).
/// </summary>
public interface ILeadership
{
    bool IsLeader { get; }
}

/// <summary>Election off: a single replica always leads.</summary>
public sealed class AlwaysLeader : ILeadership
{
    public bool IsLeader => true;
}
