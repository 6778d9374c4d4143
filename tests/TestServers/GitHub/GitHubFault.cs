namespace TestServers.GitHub;

/// <summary>Failures the server can be told to return for the next calls.</summary>
public enum GitHubFault
{
    /// <summary>403 + x-ratelimit-remaining: 0 + x-ratelimit-reset (primary rate limit).</summary>
    PrimaryRateLimit,

    /// <summary>403 + Retry-After + "secondary rate limit" message.</summary>
    SecondaryRateLimit,

    /// <summary>429 + Retry-After.</summary>
    TooManyRequests,

    ServerError,
    BadGateway,

    /// <summary>The call is carried out, but the client gets a 502 instead of the answer (a lost response).</summary>
    LoseResponse,
}
